"""The owner's staff: listing, adding within the slots (with a claim link), changing, removing
(their sessions end at once), inviting again; the owner stays; a staff member claims and signs in."""

from __future__ import annotations

from typing import Any

from handover.runtime import Runtime

from tests.conftest import (
    DEMO_FRONTDESK,
    DEMO_OWNER,
    GOOD_PASSWORD,
    OPERATOR,
    Api,
    SentMail,
    deliver_ses_event,
    last_link_token,
    ses_event,
)

NEW = {"email": "Casey.Clerk@Demo.example", "first_name": "Casey", "last_name": "Clerk",
       "perms": ["customers:write", "customers:read"]}


def add(api: Api, owner: str, email: str = "casey.clerk@demo.example", **fields: Any) -> dict[str, Any]:
    reply = api.call("POST", "/v1/staff", {**NEW, "email": email, **fields}, token=owner)
    assert reply.status == 201, reply.body
    staff: dict[str, Any] = reply.json()["staff"]
    return staff


def staff_list(api: Api, token: str, query: str = "") -> list[dict[str, Any]]:
    reply = api.call("GET", f"/v1/staff{query}", token=token)
    assert reply.status == 200, reply.body
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def history(api: Api, account_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.call("GET", f"/v1/operator/accounts/{account_id}/history",
                                           token=api.login(OPERATOR)).json()["items"]
    return items


def test_the_owner_lists_the_staff_owner_first(api: Api) -> None:
    # When Demo's owner lists the staff
    items = staff_list(api, api.login(DEMO_OWNER))

    # Then the owner comes first, with every permission, then the front desk
    assert [(item["email"], item["role"], item["perms"], item["status"]) for item in items] == [
        ("owner@demo.example", "owner", ["customers:read", "customers:write", "staff:manage"], "active"),
        ("frontdesk@demo.example", "staff", ["customers:read"], "active")]
    assert all(item["email_deliverable"] and item["created_at"] for item in items)


def test_the_list_pages(api: Api) -> None:
    # Given five members (the owner, the front desk and three more)
    owner = api.login(DEMO_OWNER)
    for number in range(3):
        add(api, owner, f"member{number}@demo.example")

    # When the owner reads two at a time
    pages, cursor = [], None
    while True:
        reply = api.call("GET", "/v1/staff?limit=2" + (f"&cursor={cursor}" if cursor else ""), token=owner)
        assert reply.status == 200, reply.body
        pages.append([item["email"] for item in reply.json()["items"]])
        cursor = reply.json()["next_cursor"]
        if cursor is None:
            break

    # Then three pages hold every member once, and the last one says it is the last
    assert [len(page) for page in pages] == [2, 2, 1]
    everyone = [item["email"] for item in staff_list(api, owner, "?limit=100")]
    assert [email for page in pages for email in page] == everyone
    # and another business's cursor is refused
    clinic = api.login({"realm": "staff", "account": "clinic", "email": "owner@clinic.example",
                        "password": "Clinic-Passw0rd!"})
    first = api.call("GET", "/v1/staff?limit=1", token=owner).json()["next_cursor"]
    assert api.call("GET", f"/v1/staff?cursor={first}", token=clinic).code == "cursor_invalid"


def test_adding_a_member_takes_a_slot_and_emails_a_claim_link(api: Api, seeded: Runtime,
                                                              mail: list[SentMail]) -> None:
    # Given the owner
    owner = api.login(DEMO_OWNER)

    # When they add a member
    reply = api.call("POST", "/v1/staff", NEW, token=owner)

    # Then the member is invited with their permissions, the business counts them, and the link went out
    assert reply.status == 201, reply.body
    staff = reply.json()["staff"]
    assert (staff["email"], staff["role"], staff["perms"], staff["status"]) == (
        "casey.clerk@demo.example", "staff", ["customers:read", "customers:write"], "invited")
    assert reply.json()["invite"]["sent"] is True
    assert [sent.to for sent in mail] == ["casey.clerk@demo.example"]
    assert mail[0].tags["realm"] == "staff" and mail[0].tags["subject"] == staff["id"]
    account = seeded.directory.accounts.by_nickname("demo")
    assert account is not None and account.staff_count == 3
    assert api.call("GET", f"/v1/staff/{staff['id']}", token=owner).json()["staff"] == staff


def test_an_email_is_one_members_per_business(api: Api) -> None:
    # Given a member
    owner = api.login(DEMO_OWNER)
    add(api, owner)

    # When the owner adds the same email again (written otherwise), or the front desk's
    again = api.call("POST", "/v1/staff", {**NEW, "email": " CASEY.CLERK@demo.EXAMPLE"}, token=owner)
    frontdesk = api.call("POST", "/v1/staff", {**NEW, "email": "frontdesk@demo.example"}, token=owner)

    # Then both are taken, and no slot went
    assert (again.status, again.code) == (frontdesk.status, frontdesk.code) == (409, "email_taken")
    assert len(staff_list(api, owner)) == 3


def test_the_slots_run_out(api: Api, seeded: Runtime) -> None:
    # Given Demo's five slots, two of them taken
    owner = api.login(DEMO_OWNER)
    for number in range(3):
        add(api, owner, f"member{number}@demo.example")

    # When the owner adds a sixth member
    reply = api.call("POST", "/v1/staff", {**NEW, "email": "sixth@demo.example"}, token=owner)

    # Then there is no slot for them, nothing of them is kept, and their email is still free
    assert (reply.status, reply.code) == (409, "staff_limit_reached")
    account = seeded.directory.accounts.by_nickname("demo")
    assert account is not None and account.staff_count == 5
    assert "sixth@demo.example" not in [item["email"] for item in staff_list(api, owner)]
    # and removing one frees a slot for them
    member = staff_list(api, owner)[-1]
    assert api.call("DELETE", f"/v1/staff/{member['id']}", token=owner).status == 204
    assert api.call("POST", "/v1/staff", {**NEW, "email": "sixth@demo.example"}, token=owner).status == 201


BAD = [  # (body, the field named, code)
    ({**NEW, "perms": ["customers:delete"]}, "perms", "validation_error"),
    ({**NEW, "perms": ["staff:manage"]}, "perms", "validation_error"),
    ({**NEW, "perms": None}, "perms", "validation_error"),
    ({**NEW, "email": "not-an-address"}, "email", "email_invalid"),
    ({**NEW, "first_name": ""}, "first_name", "validation_error"),
    ({**NEW, "role": "owner"}, "role", "validation_error"),
    ({key: value for key, value in NEW.items() if key != "perms"}, "perms", "validation_error"),
]


def test_a_bad_body_is_a_422_and_adds_nobody(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    for body, field, code in BAD:
        # When the owner adds someone with a bad body
        reply = api.call("POST", "/v1/staff", body, token=owner)

        # Then it is refused, naming the field, and nobody was added
        assert (reply.status, reply.code) == (422, code), (body, reply.body)
        if code == "validation_error":
            assert any(field in issue["loc"] for issue in reply.json()["errors"]), (body, reply.body)
    assert len(staff_list(api, owner)) == 2


def test_the_owner_changes_names_and_permissions_which_hold_at_once(api: Api) -> None:
    # Given the front desk signed in (customers:read only)
    owner = api.login(DEMO_OWNER)
    frontdesk_token = api.login(DEMO_FRONTDESK)
    frontdesk = staff_list(api, owner)[1]
    assert api.call("POST", "/v1/customers", {"email": "a@example.com", "first_name": "A", "last_name": "B"},
                    token=frontdesk_token).status == 403

    # When the owner renames them and gives them customers:write
    reply = api.call("PATCH", f"/v1/staff/{frontdesk['id']}",
                     {"first_name": "Francis", "perms": ["customers:write", "customers:read", "customers:read"]},
                     token=owner)

    # Then the change is kept, and their token (issued before) may create customers from now on
    assert reply.status == 200, reply.body
    assert reply.json()["staff"] == {**frontdesk, "first_name": "Francis",
                                     "perms": ["customers:read", "customers:write"]}
    assert api.call("GET", f"/v1/staff/{frontdesk['id']}", token=owner).json() == reply.json()
    assert api.call("POST", "/v1/customers", {"email": "a@example.com", "first_name": "A", "last_name": "B"},
                    token=frontdesk_token).status == 201
    # and taking it away again holds at once too
    assert api.call("PATCH", f"/v1/staff/{frontdesk['id']}", {"perms": []}, token=owner).status == 200
    assert api.call("GET", "/v1/customers", token=frontdesk_token).status == 403


def test_a_patch_refuses_what_cannot_be(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    frontdesk = staff_list(api, owner)[1]
    for body in ({"perms": ["staff:manage"]}, {"last_name": None}, {"perms": None}, {"email": "x@demo.example"}):
        # When the owner sends a PATCH that cannot be
        reply = api.call("PATCH", f"/v1/staff/{frontdesk['id']}", body, token=owner)

        # Then it is a 422 and nothing changed
        assert (reply.status, reply.code) == (422, "validation_error"), (body, reply.body)
    assert staff_list(api, owner)[1] == frontdesk
    assert api.call("PATCH", "/v1/staff/01NOSUCHSTAFF0000000000000", {"first_name": "X"}, token=owner).status == 404


def test_the_owner_cannot_be_removed_or_lose_a_permission(api: Api) -> None:
    # Given the owner
    owner = api.login(DEMO_OWNER)
    me = staff_list(api, owner)[0]

    # When they try to remove themselves, or drop a permission of theirs
    removed = api.call("DELETE", f"/v1/staff/{me['id']}", token=owner)
    dropped = api.call("PATCH", f"/v1/staff/{me['id']}", {"perms": ["customers:read", "customers:write"]},
                       token=owner)

    # Then both are 409 owner_required; naming every permission and renaming are fine
    assert (removed.status, removed.code) == (dropped.status, dropped.code) == (409, "owner_required")
    kept = api.call("PATCH", f"/v1/staff/{me['id']}",
                    {"last_name": "Owens", "perms": ["staff:manage", "customers:read", "customers:write"]},
                    token=owner)
    assert kept.status == 200 and kept.json()["staff"] == {**me, "last_name": "Owens"}
    assert staff_list(api, owner)[0] == {**me, "last_name": "Owens"}


def test_a_removed_member_is_signed_out_at_once_and_their_email_is_free(api: Api, seeded: Runtime) -> None:
    # Given the front desk, signed in
    owner = api.login(DEMO_OWNER)
    token = api.login(DEMO_FRONTDESK)
    frontdesk = staff_list(api, owner)[1]
    assert api.call("GET", "/v1/customers", token=token).status == 200

    # When the owner removes them
    reply = api.call("DELETE", f"/v1/staff/{frontdesk['id']}", token=owner)

    # Then their very next request is refused, they cannot sign in, their slot and email are free
    assert reply.status == 204 and reply.body == b""
    assert api.call("GET", "/v1/customers", token=token).status == 401
    assert api.call("POST", "/v1/auth/login", DEMO_FRONTDESK).status == 401
    assert api.call("GET", f"/v1/staff/{frontdesk['id']}", token=owner).status == 404
    assert api.call("DELETE", f"/v1/staff/{frontdesk['id']}", token=owner).status == 404
    account = seeded.directory.accounts.by_nickname("demo")
    assert account is not None and account.staff_count == 1
    assert add(api, owner, "frontdesk@demo.example")["status"] == "invited"


def test_a_removed_members_claim_link_is_dead(api: Api) -> None:
    # Given a member's claim link
    owner = api.login(DEMO_OWNER)
    staff = add(api, owner)
    link = last_link_token("casey.clerk@demo.example")

    # When the owner removes them
    assert api.call("DELETE", f"/v1/staff/{staff['id']}", token=owner).status == 204

    # Then the link neither reads nor claims
    assert api.call("GET", f"/v1/auth/links/{link}").status == 410
    assert api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD}).status == 410


def test_a_member_claims_their_link_and_signs_in(api: Api) -> None:
    # Given a member added by the owner
    owner = api.login(DEMO_OWNER)
    staff = add(api, owner, perms=["customers:read"])
    link = last_link_token("casey.clerk@demo.example")

    # When they open the link and claim it with a password that breaks the policy, then a good one
    described = api.call("GET", f"/v1/auth/links/{link}")
    weak = api.call("POST", "/v1/auth/claim", {"token": link, "password": "short"})
    claimed = api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD})

    # Then the link says what it is for, the weak password is refused, and the claim signs them in
    assert described.status == 200 and described.json()["kind"] == "invite"
    assert described.json()["account_name"] == "Demo Studio" and described.json()["email_hint"] == "c***@demo.example"
    assert (weak.status, weak.code) == (422, "password_policy")
    assert claimed.status == 200, claimed.body
    token = claimed.json()["access_token"]
    assert api.call("GET", "/v1/customers", token=token).status == 200
    assert api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD}).status == 410
    credentials = {"realm": "staff", "account": "demo", "email": "casey.clerk@demo.example", "password": GOOD_PASSWORD}
    assert api.call("POST", "/v1/auth/login", credentials).status == 200
    assert api.call("GET", f"/v1/staff/{staff['id']}", token=owner).json()["staff"]["status"] == "active"
    # and a claimed member cannot be invited again
    again = api.call("POST", f"/v1/staff/{staff['id']}/invite", token=owner)
    assert (again.status, again.code) == (409, "already_claimed")


def test_a_claim_follows_the_business_password_profile(api: Api) -> None:
    # Given a business on the nist profile and a member's link
    owner = api.login(DEMO_OWNER)
    assert api.call("PATCH", "/v1/settings", {"password_profile": "nist"}, token=owner).status == 200
    add(api, owner)
    link = last_link_token("casey.clerk@demo.example")

    # When they claim with a password good for classic but too short for nist, then a long one
    short = api.call("POST", "/v1/auth/claim", {"token": link, "password": "Sunny-Harb0ur"})
    long = api.call("POST", "/v1/auth/claim", {"token": link, "password": "sunny harbour lantern orchard"})

    # Then the first is refused and the second claims
    assert (short.status, short.code) == (422, "password_policy")
    assert long.status == 200, long.body


def test_a_resend_revokes_the_earlier_link(api: Api, mail: list[SentMail]) -> None:
    # Given a member and their first link
    owner = api.login(DEMO_OWNER)
    staff = add(api, owner)
    first = last_link_token("casey.clerk@demo.example")

    # When the owner sends the invite again
    reply = api.call("POST", f"/v1/staff/{staff['id']}/invite", token=owner)

    # Then a new link went out, and only it works
    assert reply.status == 202 and reply.json()["expires_at"]
    assert [sent.to for sent in mail] == ["casey.clerk@demo.example"] * 2
    second = last_link_token("casey.clerk@demo.example")
    assert api.call("POST", "/v1/auth/claim", {"token": first, "password": GOOD_PASSWORD}).status == 410
    assert api.call("POST", "/v1/auth/claim", {"token": second, "password": GOOD_PASSWORD}).status == 200
    assert api.call("POST", "/v1/staff/01NOSUCHSTAFF0000000000000/invite", token=owner).status == 404


def test_an_undeliverable_address_gets_no_invite(api: Api, mail: list[SentMail]) -> None:
    # Given a member whose invite bounced for good
    owner = api.login(DEMO_OWNER)
    staff = add(api, owner)
    deliver_ses_event(ses_event("bounce", mail[-1]))

    # When the owner sends the invite again
    reply = api.call("POST", f"/v1/staff/{staff['id']}/invite", token=owner)

    # Then it is refused, nothing is sent, and the member shows why
    assert (reply.status, reply.code) == (422, "email_undeliverable")
    assert len(mail) == 1
    assert api.call("GET", f"/v1/staff/{staff['id']}", token=owner).json()["staff"]["email_deliverable"] is False


def test_an_idempotency_key_adds_once(api: Api, mail: list[SentMail]) -> None:
    # When the owner sends the same add twice with one key
    owner = api.login(DEMO_OWNER)
    headers = {"idempotency-key": "add-casey"}
    first = api.call("POST", "/v1/staff", NEW, token=owner, headers=headers)
    second = api.call("POST", "/v1/staff", NEW, token=owner, headers=headers)

    # Then the second answers as the first did, and one member and one email exist
    assert first.status == second.status == 201 and first.json() == second.json()
    assert len(staff_list(api, owner)) == 3 and len(mail) == 1
    # and a removal with a key answers the same again
    staff_id = first.json()["staff"]["id"]
    removals = [api.call("DELETE", f"/v1/staff/{staff_id}", token=owner, headers={"idempotency-key": "rm"})
                for _ in range(2)]
    assert [reply.status for reply in removals] == [204, 204]


def test_only_the_owner_manages_staff(api: Api) -> None:
    # Given the front desk (staff without staff:manage)
    frontdesk = api.login(DEMO_FRONTDESK)
    owner = api.login(DEMO_OWNER)
    me = staff_list(api, owner)[1]

    # When they try every staff route
    replies = [api.call("GET", "/v1/staff", token=frontdesk), api.call("POST", "/v1/staff", NEW, token=frontdesk),
               api.call("GET", f"/v1/staff/{me['id']}", token=frontdesk),
               api.call("PATCH", f"/v1/staff/{me['id']}", {"first_name": "X"}, token=frontdesk),
               api.call("DELETE", f"/v1/staff/{me['id']}", token=frontdesk),
               api.call("POST", f"/v1/staff/{me['id']}/invite", token=frontdesk)]

    # Then each is forbidden
    assert [reply.status for reply in replies] == [403] * 6


def test_another_business_members_are_not_found(api: Api) -> None:
    # Given Demo's front desk
    frontdesk = staff_list(api, api.login(DEMO_OWNER))[1]
    clinic = api.login({"realm": "staff", "account": "clinic", "email": "owner@clinic.example",
                        "password": "Clinic-Passw0rd!"})

    # When the clinic's owner reaches for them
    replies = [api.call("GET", f"/v1/staff/{frontdesk['id']}", token=clinic),
               api.call("PATCH", f"/v1/staff/{frontdesk['id']}", {"first_name": "X"}, token=clinic),
               api.call("DELETE", f"/v1/staff/{frontdesk['id']}", token=clinic),
               api.call("POST", f"/v1/staff/{frontdesk['id']}/invite", token=clinic)]

    # Then they do not exist for them
    assert [reply.status for reply in replies] == [404] * 4
    assert [item["email"] for item in staff_list(api, clinic)] == ["owner@clinic.example"]


def test_under_login_as_every_change_is_written_with_both_identities(api: Api) -> None:
    # Given an operator logged in as Demo's owner
    account_id = api.account_id("demo")
    operator = api.login(OPERATOR)
    token = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {}, token=operator).json()["access_token"]

    # When they add, change, invite and remove a member
    staff = add(api, token)
    assert api.call("PATCH", f"/v1/staff/{staff['id']}", {"last_name": "Clark"}, token=token).status == 200
    assert api.call("POST", f"/v1/staff/{staff['id']}/invite", token=token).status == 202
    assert api.call("DELETE", f"/v1/staff/{staff['id']}", token=token).status == 204

    # Then each is in the business's history, the operator acting for the owner
    items = history(api, account_id)
    assert [item["action"] for item in items] == ["staff.removed", "staff.invite_sent", "staff.changed",
                                                  "staff.added", "operator.login_as"]
    for item in items[:4]:
        assert item["actor"]["email"] == "operator@example.com"
        assert item["on_behalf_of"]["email"] == "owner@demo.example"
        assert item["target"] == {"type": "staff", "id": staff["id"]}
    assert items[2]["details"] == {"last_name": "Clark"}
    assert items[3]["details"] == {"email": "casey.clerk@demo.example",
                                   "perms": ["customers:read", "customers:write"]}
    # and the owner acting for themselves adds nothing to it
    add(api, api.login(DEMO_OWNER), "self@demo.example")
    assert len(history(api, account_id)) == 5
