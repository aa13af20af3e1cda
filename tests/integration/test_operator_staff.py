"""Operators and a business's people: its staff list, and the owner's claim link (the customer
invite's rules: expiring, single use, a resend revokes older links), recorded in its history."""

from __future__ import annotations

from handover.accounts.businesses import Person
from handover.runtime import Runtime

from tests.conftest import (
    DEMO_OWNER,
    GOOD_PASSWORD,
    HELPDESK,
    OPERATOR,
    Api,
    SentMail,
    deliver_ses_event,
    last_link_token,
    ses_event,
)


def new_business(rt: Runtime, secure: bool = False) -> str:
    """A business whose owner has not claimed it yet; its id."""
    account, _ = rt.accounts.open(name="Fresh Bakery", nickname="fresh", secure=secure,
                                  owner=Person("owner@fresh.example", "Fay", "Baker"))
    return account.id


def test_an_operator_lists_a_business_staff(api: Api) -> None:
    # When an operator lists Demo's staff, two at a time, and then one at a time
    account_id = api.account_id("demo")
    operator = api.login(HELPDESK)
    reply = api.call("GET", f"/v1/operator/accounts/{account_id}/staff", token=operator)
    first = api.call("GET", f"/v1/operator/accounts/{account_id}/staff?limit=1", token=operator).json()
    second = api.call("GET", f"/v1/operator/accounts/{account_id}/staff?limit=1&cursor={first['next_cursor']}",
                      token=operator).json()

    # Then the owner comes first, and the staff are the ones the owner sees
    assert reply.status == 200
    owner_view = api.call("GET", "/v1/staff", token=api.login(DEMO_OWNER)).json()
    assert reply.json() == owner_view
    assert [item["email"] for item in first["items"] + second["items"]] == ["owner@demo.example",
                                                                            "frontdesk@demo.example"]
    assert second["next_cursor"] is None


def test_a_secure_business_staff_need_a_secure_operator_and_reading_is_not_history(api: Api) -> None:
    # Given the secure Harbour Clinic
    clinic_id = api.account_id("clinic")

    # When an operator without the Secure role and one with it list its staff
    refused = api.call("GET", f"/v1/operator/accounts/{clinic_id}/staff", token=api.login(HELPDESK))
    listed = api.call("GET", f"/v1/operator/accounts/{clinic_id}/staff", token=api.login(OPERATOR))

    # Then only the secure one may; an unknown business is a 404; and reading left no history
    assert (refused.status, refused.code) == (403, "secure_account")
    assert listed.status == 200 and [item["role"] for item in listed.json()["items"]] == ["owner"]
    operator = api.login(OPERATOR)
    assert api.call("GET", "/v1/operator/accounts/01NOSUCHBUSINESS0000000000/staff", token=operator).status == 404
    assert api.call("GET", f"/v1/operator/accounts/{clinic_id}/history", token=operator).json()["items"] == []


def test_the_owner_claims_the_link_an_operator_sends(api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # Given a new business whose owner has no password
    account_id = new_business(seeded)
    operator = api.login(HELPDESK)

    # When an operator sends the owner's invite, twice
    first = api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=operator)
    first_link = last_link_token("owner@fresh.example")
    second = api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=operator)
    second_link = last_link_token("owner@fresh.example")

    # Then each is a 202 with its expiry and an email; only the newest link claims, once
    assert first.status == second.status == 202 and second.json()["expires_at"]
    assert [sent.to for sent in mail] == ["owner@fresh.example"] * 2
    assert api.call("POST", "/v1/auth/claim", {"token": first_link, "password": GOOD_PASSWORD}).status == 410
    claimed = api.call("POST", "/v1/auth/claim", {"token": second_link, "password": GOOD_PASSWORD})
    assert claimed.status == 200, claimed.body
    assert api.call("POST", "/v1/auth/claim", {"token": second_link, "password": GOOD_PASSWORD}).status == 410
    # and the owner is signed in and holds the owner's routes
    assert api.call("GET", "/v1/staff", token=claimed.json()["access_token"]).json()["items"][0]["status"] == "active"
    owner = {"realm": "staff", "account": "fresh", "email": "owner@fresh.example", "password": GOOD_PASSWORD}
    assert api.call("POST", "/v1/auth/login", owner).status == 200

    # When an operator sends the invite once more
    again = api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=operator)

    # Then the owner has claimed already; the history shows both sends by the operator and the claim
    assert (again.status, again.code) == (409, "already_claimed")
    items = api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"]
    assert [item["action"] for item in items] == ["staff.claimed", "owner.invite_sent", "owner.invite_sent"]
    assert {item["actor"]["email"] for item in items[1:]} == {"helpdesk@example.com"}
    assert items[1]["target"] == {"type": "staff", "id": account_id} and items[1].get("on_behalf_of") is None


def test_the_owner_invite_of_a_secure_or_locked_business(api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # Given a secure business whose owner has no password
    account_id = new_business(seeded, secure=True)

    # When an operator without the Secure role sends the invite, and then one with it
    refused = api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=api.login(HELPDESK))
    operator = api.login(OPERATOR)
    sent = api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=operator)

    # Then only the secure operator's went out
    assert (refused.status, refused.code) == (403, "secure_account")
    assert sent.status == 202 and len(mail) == 1

    # When the business is locked and the invite is sent again
    assert api.call("POST", f"/v1/operator/accounts/{account_id}/lock", {}, token=operator).status == 200
    locked = api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=operator)

    # Then it is refused, nothing is sent, and the link sent before the lock claims nothing
    assert (locked.status, locked.code) == (423, "account_locked")
    assert len(mail) == 1
    claim = api.call("POST", "/v1/auth/claim", {"token": last_link_token("owner@fresh.example"),
                                                "password": GOOD_PASSWORD})
    assert (claim.status, claim.code) == (423, "account_locked")


def test_the_owner_invite_to_an_undeliverable_address(api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # Given an owner whose invite bounced for good
    account_id = new_business(seeded)
    operator = api.login(HELPDESK)
    assert api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=operator).status == 202
    deliver_ses_event(ses_event("bounce", mail[-1]))

    # When an operator sends it again
    reply = api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=operator)

    # Then it is refused and nothing more is sent
    assert (reply.status, reply.code) == (422, "email_undeliverable")
    assert len(mail) == 1


def test_an_idempotency_key_sends_the_owner_invite_once(api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # When an operator sends the owner's invite twice with one key
    account_id = new_business(seeded)
    operator = api.login(HELPDESK)
    replies = [api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=operator,
                        headers={"idempotency-key": "owner-invite-1"}) for _ in range(2)]

    # Then both answer alike and one email went out
    assert [reply.status for reply in replies] == [202, 202] and replies[0].json() == replies[1].json()
    assert len(mail) == 1


def test_only_operators_list_staff_and_send_the_owner_invite(api: Api, seeded: Runtime) -> None:
    # When Demo's owner uses the operator routes on their own business
    account_id = api.account_id("demo")
    owner = api.login(DEMO_OWNER)
    replies = [api.call("GET", f"/v1/operator/accounts/{account_id}/staff", token=owner),
               api.call("POST", f"/v1/operator/accounts/{account_id}/owner/invite", token=owner)]

    # Then they are forbidden
    assert [reply.status for reply in replies] == [403, 403]
