"""PATCH /v1/customers/{id}: staff change names, phone and email; a changed email is unique in the
business, revokes outstanding links, clears verification and takes the new email's bookings."""

from __future__ import annotations

from typing import Any

import pytest
from handover.customers.revisions import stale
from handover.runtime import Runtime

from tests.conftest import (
    CLINIC_OWNER,
    DEMO_FRONTDESK,
    DEMO_OWNER,
    GOOD_PASSWORD,
    OPERATOR,
    Api,
    Reply,
    add_booking,
    last_link_token,
)


def patch(api: Api, token: str, customer_id: str, body: Any, key: str | None = None) -> Reply:
    return api.call("PATCH", f"/v1/customers/{customer_id}", body, token=token,
                    headers={"idempotency-key": key} if key else None)


def revision(rt: Runtime, customer: dict[str, Any]) -> int:
    """How often the stored customer was written (a change that shows nowhere still shows here)."""
    record = rt.directory.customers.get(customer["account_id"], customer["id"])
    assert record is not None
    return record.revision


def emailed_link(api: Api, token: str, customer_id: str, route: str, to: str) -> str:
    """Staff send the customer a link (`route` "invite" or "password-reset"); the token it carries."""
    reply = api.call("POST", f"/v1/customers/{customer_id}/{route}", {}, token=token)
    assert reply.status == 202, reply.body
    return last_link_token(to)


def customer_login(api: Api, email: str) -> Reply:
    return api.call("POST", "/v1/auth/login", {"realm": "customer", "account": "demo", "email": email,
                                               "password": GOOD_PASSWORD})


def test_staff_change_the_names_and_phone(api: Api) -> None:
    # Given a customer without a phone
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)

    # When staff change both names and add a phone (white space around them is trimmed)
    reply = patch(api, owner, customer["id"], {"first_name": " Janet ", "last_name": "Smith",
                                               "phone": "+44 20 7946 0000"})

    # Then the answer and a later read show the change, and nothing else changed
    assert reply.status == 200, reply.body
    changed = reply.json()["customer"]
    assert (changed["first_name"], changed["last_name"], changed["phone"]) == ("Janet", "Smith", "+44 20 7946 0000")
    assert api.customer(owner, customer["id"]) == changed
    untouched = ("email", "status", "email_verified", "email_deliverable", "booking_count", "created_at")
    assert {name: changed[name] for name in untouched} == {name: customer[name] for name in untouched}

    # And the directory finds them under the new name only
    def found(q: str) -> list[str]:
        return [item["id"] for item in api.call("GET", f"/v1/customers?q={q}", token=owner).json()["items"]]

    assert (found("smith"), found("janet"), found("doe")) == ([customer["id"]], [customer["id"]], [])


def test_a_null_phone_removes_it(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, phone="+1 555 0100")
    reply = patch(api, owner, customer["id"], {"phone": None})
    assert reply.status == 200 and reply.json()["customer"]["phone"] is None
    assert api.customer(owner, customer["id"]) == {**customer, "phone": None,
                                                   "updated_at": reply.json()["customer"]["updated_at"]}


@pytest.mark.parametrize(("body", "code"), [
    ({"first_name": None}, "validation_error"),
    ({"last_name": None, "phone": "+1 555 0199"}, "validation_error"),
    ({"email": None}, "validation_error"),
    ({"first_name": ""}, "validation_error"),
    ({"last_name": "Line\nbreak"}, "validation_error"),
    ({"status": "active"}, "validation_error"),
    ({"email_verified": True}, "validation_error"),
    ({"email": "not-an-email", "last_name": "Smith"}, "email_invalid"),
])
def test_names_and_email_cannot_be_removed_and_bad_input_changes_nothing(api: Api, seeded: Runtime,
                                                                         body: dict[str, Any], code: str) -> None:
    # Given a customer
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, phone="+1 555 0100")
    before, written = api.customer(owner, customer["id"]), revision(seeded, customer)

    # When staff send a body that removes a name or the email, or is otherwise invalid
    reply = patch(api, owner, customer["id"], body)

    # Then it is a 422 naming the field, and the customer is as it was
    assert (reply.status, reply.code) == (422, code), reply.body
    if code == "validation_error":
        assert any(set(body) & set(error["loc"]) for error in reply.json()["errors"]), reply.json()
    assert api.customer(owner, customer["id"]) == before
    assert revision(seeded, customer) == written


@pytest.mark.parametrize("body", [
    {},
    {"first_name": "Jane", "last_name": " Doe ", "phone": None},
    {"email": " Jane.Doe@EXAMPLE.com "},  # the same address, differently written
])
def test_a_body_that_changes_nothing_writes_nothing(api: Api, seeded: Runtime, body: dict[str, Any]) -> None:
    # Given a claimed (verified) customer with an outstanding reset link
    owner = api.login(DEMO_OWNER)
    customer, _ = api.claimed_customer(owner)
    link = emailed_link(api, owner, customer["id"], "password-reset", customer["email"])
    before, written = api.customer(owner, customer["id"]), revision(seeded, customer)

    # When staff send a body that names nothing new
    reply = patch(api, owner, customer["id"], body)

    # Then the answer is the customer as they were; nothing was written, the link still works
    assert reply.status == 200, reply.body
    assert reply.json()["customer"] == before
    assert api.customer(owner, customer["id"]) == before
    assert revision(seeded, customer) == written
    assert api.call("GET", f"/v1/auth/links/{link}").status == 200


def test_a_changed_email_is_normalised_and_the_old_one_is_free_again(api: Api) -> None:
    # Given a customer
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "jane.doe@example.com")

    # When staff change the email, written with spaces and capitals
    reply = patch(api, owner, customer["id"], {"email": "  Jane.Smith@Example.COM "})

    # Then it is stored normalised; the new address is taken in any case, the old one is free
    assert reply.status == 200, reply.body
    assert reply.json()["customer"]["email"] == "jane.smith@example.com"
    assert api.customer(owner, customer["id"])["email"] == "jane.smith@example.com"
    taken = api.call("POST", "/v1/customers", {"email": "JANE.SMITH@example.com", "first_name": "J", "last_name": "S"},
                     token=owner)
    assert (taken.status, taken.code) == (409, "email_taken")
    api.create_customer(owner, "jane.doe@example.com")


def test_an_email_another_customer_has_is_a_conflict_and_changes_nothing(api: Api, seeded: Runtime) -> None:
    # Given an invited customer with an outstanding invite link, and another customer
    owner = api.login(DEMO_OWNER)
    api.create_customer(owner, "taken@example.com")
    customer = api.create_customer(owner, "jane.doe@example.com")
    link = emailed_link(api, owner, customer["id"], "invite", "jane.doe@example.com")
    before, written = api.customer(owner, customer["id"]), revision(seeded, customer)

    # When staff give the first the other's email (differently written) and a new last name
    reply = patch(api, owner, customer["id"], {"email": " Taken@EXAMPLE.com", "last_name": "Smith"})

    # Then it is a conflict and nothing changed: not the name, not the status, not the link
    assert (reply.status, reply.code) == (409, "email_taken")
    assert reply.headers["content-type"] == "application/problem+json"
    assert api.customer(owner, customer["id"]) == before
    assert revision(seeded, customer) == written
    assert api.call("GET", f"/v1/auth/links/{link}").status == 200
    # and the customer's own address is still claimed by them
    clash = api.call("POST", "/v1/customers", {"email": "jane.doe@example.com", "first_name": "J", "last_name": "D"},
                     token=owner)
    assert (clash.status, clash.code) == (409, "email_taken")


def test_an_email_used_in_another_business_is_no_conflict(api: Api) -> None:
    api.create_customer(api.login(CLINIC_OWNER), "pat@example.com")
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    reply = patch(api, owner, customer["id"], {"email": "pat@example.com"})
    assert reply.status == 200 and reply.json()["customer"]["email"] == "pat@example.com"


def test_a_changed_email_revokes_the_invite_and_makes_the_customer_unclaimed(api: Api) -> None:
    # Given an invited customer and their invite link
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "jane.doe@example.com")
    link = emailed_link(api, owner, customer["id"], "invite", "jane.doe@example.com")

    # When staff correct the email
    reply = patch(api, owner, customer["id"], {"email": "jane.smith@example.com"})

    # Then the customer is unclaimed again and the link is dead, for reading and for claiming
    assert reply.status == 200, reply.body
    changed = reply.json()["customer"]
    assert (changed["status"], changed["email_verified"]) == ("unclaimed", False)
    described = api.call("GET", f"/v1/auth/links/{link}")
    claim = api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD})
    assert (described.status, described.code) == (410, "link_invalid")
    assert (claim.status, claim.code) == (410, "link_invalid")
    assert api.customer(owner, customer["id"]) == changed

    # And a fresh invite goes to the new address and claims the account
    fresh = emailed_link(api, owner, customer["id"], "invite", "jane.smith@example.com")
    claimed = api.call("POST", "/v1/auth/claim", {"token": fresh, "password": GOOD_PASSWORD})
    assert claimed.status == 200


def test_a_claimed_customer_s_new_email_must_be_verified_before_they_sign_in(api: Api) -> None:
    # Given a claimed customer with an outstanding reset link
    owner = api.login(DEMO_OWNER)
    customer, _ = api.claimed_customer(owner)
    link = emailed_link(api, owner, customer["id"], "password-reset", "jane.doe@example.com")

    # When staff change the email
    reply = patch(api, owner, customer["id"], {"email": "jane.smith@example.com"})

    # Then they stay active but unverified, the reset link is dead, and they sign in with the new
    # email only, once it is verified
    changed = reply.json()["customer"]
    assert (changed["status"], changed["email_verified"]) == ("active", False)
    assert api.call("GET", f"/v1/auth/links/{link}").status == 410
    old, new = customer_login(api, "jane.doe@example.com"), customer_login(api, "jane.smith@example.com")
    assert (old.status, old.code) == (401, "invalid_credentials")
    assert (new.status, new.code) == (403, "not_verified")
    fresh = emailed_link(api, owner, customer["id"], "password-reset", "jane.smith@example.com")
    reset = api.call("POST", "/v1/auth/password/reset", {"token": fresh, "password": GOOD_PASSWORD})
    assert reset.status == 200
    assert customer_login(api, "jane.smith@example.com").status == 200


def test_a_changed_email_is_deliverable_again(api: Api, seeded: Runtime) -> None:
    # Given a customer whose email bounced (stored as the bounce handling stores it)
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    record = seeded.directory.customers.get(customer["account_id"], customer["id"])
    assert record is not None
    seeded.dynamo.transact([seeded.directory.customers.change(record, {"email_undeliverable": True}, stale(record))])
    assert api.customer(owner, customer["id"])["email_deliverable"] is False
    refused = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    assert (refused.status, refused.code) == (422, "email_undeliverable")

    # When staff correct the email
    reply = patch(api, owner, customer["id"], {"email": "jane.smith@example.com"})

    # Then it is deliverable, and an invite goes out
    assert reply.json()["customer"]["email_deliverable"] is True
    emailed_link(api, owner, customer["id"], "invite", "jane.smith@example.com")


def test_a_changed_email_keeps_the_customer_s_bookings_and_takes_the_new_email_s(api: Api) -> None:
    # Given a customer with one booking, and three bookings made with another email that nobody holds
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "jane.doe@example.com")
    account_id = customer["account_id"]
    add_booking(account_id, "jane.doe@example.com", "OLD", "2026-01-01T10:00:00Z", holder_id=customer["id"])
    for number in (1, 2, 3):
        add_booking(account_id, "jane.smith@example.com", f"NEW{number}", f"2026-02-0{number}T10:00:00Z")

    # When staff change the customer's email to that one
    reply = patch(api, owner, customer["id"], {"email": "jane.smith@example.com"})

    # Then the customer keeps their booking, has that email's too, and counts them all
    assert reply.json()["customer"]["booking_count"] == 4
    detail = api.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()
    assert detail["customer"]["booking_count"] == 4
    assert [booking["id"] for booking in detail["bookings"]] == ["NEW3", "NEW2", "NEW1", "OLD"]

    # And a booking made for them later counts; changing the email back takes nothing away
    add_booking(account_id, "jane.smith@example.com", "NEW4", "2026-02-04T10:00:00Z", holder_id=customer["id"])
    assert api.customer(owner, customer["id"])["booking_count"] == 5
    back = patch(api, owner, customer["id"], {"email": "jane.doe@example.com"})
    assert back.json()["customer"]["booking_count"] == 5


def test_a_change_under_login_as_is_in_the_history_with_the_fields_changed(api: Api) -> None:
    # Given a customer, and an operator logged in as Demo Studio's owner
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    impersonated = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"reason": "ticket 4711"},
                            token=operator).json()["access_token"]

    # When the operator changes the last name and phone (and names the unchanged first name), then the email
    assert patch(api, impersonated, customer["id"], {"first_name": "Jane", "last_name": "Smith",
                                                     "phone": "+1 555 0100"}).status == 200
    assert patch(api, impersonated, customer["id"], {"email": "jane.smith@example.com"}).status == 200

    # Then each change is in the history with both identities and the fields it changed
    def updates() -> list[dict[str, Any]]:
        items = api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"]
        return [item for item in items if item["action"] == "customer.updated"]

    assert sorted(item["details"]["fields"] for item in updates()) == [["email"], ["last_name", "phone"]]
    for item in updates():
        assert item["actor"]["realm"] == "operator" and item["actor"]["email"] == "operator@example.com"
        assert item["on_behalf_of"]["email"] == "owner@demo.example"
        assert item["target"] == {"type": "customer", "id": customer["id"]}

    # And staff changing a customer for themselves leave no operator history
    assert patch(api, owner, customer["id"], {"last_name": "Jones"}).status == 200
    assert len(updates()) == 2


@pytest.mark.parametrize("last_name_given", ["Smith", "Doe"])  # Doe: the first request changes nothing
def test_the_same_idempotency_key_answers_the_first_change_and_makes_it_once(api: Api, last_name_given: str) -> None:
    # Given a change made with an Idempotency-Key, then another change without one
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    first = patch(api, owner, customer["id"], {"last_name": last_name_given}, key="k-1")
    assert patch(api, owner, customer["id"], {"last_name": "Jones"}).status == 200

    # When the first request is repeated with its key
    again = patch(api, owner, customer["id"], {"last_name": last_name_given}, key="k-1")

    # Then it answers as the first time and changes nothing
    assert (first.status, again.status) == (200, 200)
    assert again.json() == first.json()
    assert api.customer(owner, customer["id"])["last_name"] == "Jones"

    # And the same key with another body is refused
    other = patch(api, owner, customer["id"], {"last_name": "Brown"}, key="k-1")
    assert (other.status, other.code) == (422, "idempotency_key_reused")
    assert api.customer(owner, customer["id"])["last_name"] == "Jones"


def test_another_business_s_customer_is_a_404_and_stays_unchanged(api: Api) -> None:
    # Given a customer of Harbour Clinic
    clinic = api.login(CLINIC_OWNER)
    theirs = api.create_customer(clinic, "pat@example.com")
    before = api.customer(clinic, theirs["id"])
    demo = api.login(DEMO_OWNER)

    # When Demo Studio's owner tries to change them, and an id that does not exist
    reply = patch(api, demo, theirs["id"], {"last_name": "Smith", "email": "pat.smith@example.com"})
    unknown = patch(api, demo, "01ARZ3NDEKTSV4RRFFQ69G5FAV", {"last_name": "Smith"})

    # Then both are the same 404, and the clinic's customer is unchanged
    assert (reply.status, reply.code) == (404, "not_found")
    assert reply.body == unknown.body
    assert api.customer(clinic, theirs["id"]) == before


def test_only_staff_with_customers_write_change_a_customer(api: Api) -> None:
    # Given a claimed customer
    owner = api.login(DEMO_OWNER)
    customer, session = api.claimed_customer(owner)
    before = api.customer(owner, customer["id"])

    # When read-only staff, the customer themselves and nobody try to change them
    frontdesk = patch(api, api.login(DEMO_FRONTDESK), customer["id"], {"last_name": "Smith"})
    themselves = patch(api, session, customer["id"], {"last_name": "Smith"})
    anonymous = api.call("PATCH", f"/v1/customers/{customer['id']}", {"last_name": "Smith"})

    # Then each is refused, and the customer is unchanged
    assert (frontdesk.status, frontdesk.code) == (403, "forbidden")
    assert (themselves.status, themselves.code) == (403, "forbidden")
    assert (anonymous.status, anonymous.code) == (401, "unauthenticated")
    assert api.customer(owner, customer["id"]) == before


# -- Custom fields -----------------------------------------------------------------------------
# Checked against the business's definitions on every write; merged key by key (JSON merge patch).


FIELDS = [
    {"key": "locker", "label": "Locker", "type": "string", "required": False, "customer_editable": True},
    {"key": "notes", "label": "Notes", "type": "string", "required": False, "customer_editable": False},
    {"key": "vip", "label": "VIP", "type": "boolean", "required": False, "customer_editable": False},
    {"key": "floor", "label": "Floor", "type": "number", "required": False, "customer_editable": False},
    {"key": "newsletter", "label": "Newsletter", "type": "boolean", "required": False, "customer_editable": True},
    {"key": "pronouns", "label": "Pronouns", "type": "choice", "choices": ["she/her", "he/him", "they/them"],
     "required": False, "customer_editable": True},
    {"key": "member_since", "label": "Member since", "type": "date", "required": True, "customer_editable": False},
]


def define_fields(api: Api, owner: str) -> None:
    reply = api.call("PUT", "/v1/settings/custom-fields", {"fields": FIELDS}, token=owner)
    assert reply.status == 200, reply.body


def test_staff_change_custom_fields_key_by_key(api: Api) -> None:
    # Given the business's fields, and a customer with four of them
    owner = api.login(DEMO_OWNER)
    define_fields(api, owner)
    customer = api.create_customer(owner, custom_fields={"locker": "A1", "notes": "gate 1234", "vip": True,
                                                         "member_since": "2024-02-29"})

    # When staff patch one, remove one, add one (a decimal number), and remove one that is not there
    reply = patch(api, owner, customer["id"], {"custom_fields": {"locker": "B2", "notes": None, "floor": 3.5,
                                                                 "newsletter": None}})

    # Then the keys not named are kept, and every value keeps its type
    kept = {"locker": "B2", "vip": True, "floor": 3.5, "member_since": "2024-02-29"}
    assert reply.status == 200, reply.body
    assert reply.json()["customer"]["custom_fields"] == kept
    assert api.customer(owner, customer["id"])["custom_fields"] == kept


def test_custom_fields_are_checked_against_the_definitions_and_a_refusal_changes_nothing(api: Api) -> None:
    # Given the business's fields and a customer
    owner = api.login(DEMO_OWNER)
    define_fields(api, owner)
    missing = api.call("POST", "/v1/customers", {"email": "nodate@example.com", "first_name": "N", "last_name": "D"},
                       token=owner)
    customer = api.create_customer(owner, custom_fields={"member_since": "2024-01-31"})

    # When values break their definitions, or a required field is removed
    wrong = patch(api, owner, customer["id"], {"custom_fields": {"vip": "yes", "pronouns": "it", "shoe": 42,
                                                                 "member_since": "2024-02-30"}})
    removed = patch(api, owner, customer["id"], {"custom_fields": None})

    # Then each is a 422 naming every wrong field, and the customer is as it was
    assert (missing.status, missing.code) == (422, "validation_error")
    assert [error["loc"] for error in missing.json()["errors"]] == [["body", "custom_fields", "member_since"]]
    assert (wrong.status, wrong.code) == (422, "validation_error")
    assert sorted(error["loc"][-1] for error in wrong.json()["errors"]) == ["member_since", "pronouns", "shoe", "vip"]
    assert (removed.status, removed.code) == (422, "validation_error")
    assert api.customer(owner, customer["id"]) == customer


def test_a_customer_changes_their_own_custom_fields_key_by_key(api: Api) -> None:
    # Given a claimed customer of a business with customer-editable fields
    owner = api.login(DEMO_OWNER)
    define_fields(api, owner)
    customer, session = api.claimed_customer(owner, custom_fields={"member_since": "2020-05-01"})

    # When they set and remove editable fields
    first = api.call("PATCH", "/v1/me", {"custom_fields": {"newsletter": True, "pronouns": "she/her"}}, token=session)
    second = api.call("PATCH", "/v1/me", {"custom_fields": {"newsletter": None, "locker": "C3"}}, token=session)

    # Then they are merged key by key
    assert first.status == 200, first.body
    kept = {"pronouns": "she/her", "locker": "C3", "member_since": "2020-05-01"}
    assert second.json()["customer"]["custom_fields"] == kept
    assert api.customer(owner, customer["id"])["custom_fields"] == kept


def test_a_customer_cannot_change_a_field_the_business_keeps_and_nothing_changes(api: Api) -> None:
    # Given a claimed customer
    owner = api.login(DEMO_OWNER)
    define_fields(api, owner)
    customer, session = api.claimed_customer(owner, custom_fields={"member_since": "2020-05-01"})
    before = api.customer(owner, customer["id"])

    # When they try to change a field that is not customer-editable (with one that is)
    refused = api.call("PATCH", "/v1/me", {"custom_fields": {"vip": True, "locker": "D4"}}, token=session)

    # Then 403 field_not_editable names it, and nothing changed
    assert (refused.status, refused.code) == (403, "field_not_editable")
    assert [error["loc"] for error in refused.json()["errors"]] == [["body", "custom_fields", "vip"]]
    assert api.customer(owner, customer["id"]) == before
