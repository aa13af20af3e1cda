"""Creating, reading and inviting customers: uniqueness, tenancy, permissions, bad input."""

from __future__ import annotations

import pytest
from handover.runtime import Runtime

from tests.conftest import CLINIC_OWNER, DEMO_FRONTDESK, DEMO_OWNER, Api, add_booking, sent_emails


def test_one_email_per_business_in_any_case(api: Api) -> None:
    # Given a customer in Demo Studio
    demo = api.login(DEMO_OWNER)
    api.create_customer(demo, "jane.doe@example.com")

    # When the same email, differently cased, is created again there and in another business
    again = api.call("POST", "/v1/customers", {"email": "  Jane.DOE@Example.COM ", "first_name": "J",
                                               "last_name": "D"}, token=demo)
    elsewhere = api.call("POST", "/v1/customers", {"email": "jane.doe@example.com", "first_name": "J",
                                                   "last_name": "D"}, token=api.login(CLINIC_OWNER))

    # Then the second in the same business is a conflict; the other business is fine
    assert (again.status, again.code) == (409, "email_taken")
    assert again.headers["content-type"] == "application/problem+json"
    assert elsewhere.status == 201


def test_creating_sends_no_email_and_counts_earlier_bookings(api: Api, seeded: Runtime) -> None:
    # Given two earlier bookings made with the customer's email
    demo = api.login(DEMO_OWNER)
    for number in (1, 2):
        add_booking(api.account_id("demo"), "jane.doe@example.com", f"{number}", f"2026-11-0{number}T10:00:00Z")

    # When staff create the customer
    customer = api.create_customer(demo, "Jane.Doe@example.com")

    # Then the bookings are attached and nobody was emailed
    assert customer["booking_count"] == 2
    assert customer["status"] == "unclaimed"
    assert sent_emails() == []
    detail = api.call("GET", f"/v1/customers/{customer['id']}", token=demo).json()
    assert [booking["reference"] for booking in detail["bookings"]] == ["R-2", "R-1"]  # newest first


def test_create_with_invite_sends_the_invite(api: Api) -> None:
    reply = api.call("POST", "/v1/customers", {"email": "sam@example.com", "first_name": "Sam", "last_name": "Lee",
                                               "invite": True}, token=api.login(DEMO_OWNER))
    assert reply.status == 201
    assert reply.json()["customer"]["status"] == "invited"
    assert reply.json()["invite"]["sent"] is True
    assert [email["to"] for email in sent_emails()] == ["sam@example.com"]


def test_another_business_s_customer_is_a_404(api: Api) -> None:
    # Given a customer of Harbour Clinic
    clinic_customer = api.create_customer(api.login(CLINIC_OWNER), "pat@example.com")
    demo = api.login(DEMO_OWNER)

    # Then Demo Studio's staff can neither read nor invite them, and cannot tell they exist
    read = api.call("GET", f"/v1/customers/{clinic_customer['id']}", token=demo)
    invite = api.call("POST", f"/v1/customers/{clinic_customer['id']}/invite", {}, token=demo)
    unknown = api.call("GET", "/v1/customers/01ARZ3NDEKTSV4RRFFQ69G5FAV", token=demo)
    assert (read.status, invite.status) == (404, 404)
    assert read.body == unknown.body
    assert sent_emails() == []


def test_permissions_decide_who_may_create_and_read(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    frontdesk = api.login(DEMO_FRONTDESK)

    # customers:read may read but not create or invite
    assert api.call("GET", f"/v1/customers/{customer['id']}", token=frontdesk).status == 200
    create = api.call("POST", "/v1/customers", {"email": "x@example.com", "first_name": "X", "last_name": "Y"},
                      token=frontdesk)
    assert (create.status, create.code) == (403, "forbidden")
    assert api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=frontdesk).status == 403
    # no token at all is a 401
    anonymous = api.call("GET", f"/v1/customers/{customer['id']}")
    assert (anonymous.status, anonymous.code) == (401, "unauthenticated")


@pytest.mark.parametrize(("raw", "status", "code"), [
    (b"{not json", 400, "malformed_request"),
    (b"\xff\xfe\xfa", 400, "malformed_request"),
    (b"[]", 422, "validation_error"),
    (b'"just a string"', 422, "validation_error"),
    (b"{}", 422, "validation_error"),
    (b'{"email": 5, "first_name": [], "last_name": {}}', 422, "validation_error"),
    (b'{"email": "a@example.com", "first_name": "Line\\nbreak", "last_name": "D"}', 422, "validation_error"),
    (b'{"email": "a@example.com", "first_name": "Tab\\tbed", "last_name": "D"}', 422, "validation_error"),
    (b'{"email": "not-an-email", "first_name": "A", "last_name": "D"}', 422, "email_invalid"),
    (b'{"email": "a@b\xc3\xbccher.example", "first_name": "A", "last_name": "D"}', 422, "email_invalid"),
    (b'{"email": "a@example.com", "first_name": "A", "last_name": "D", "role": "owner"}', 422, "validation_error"),
])
def test_bad_input_is_a_clear_4xx_and_stores_nothing(api: Api, seeded: Runtime, raw: bytes, status: int,
                                                     code: str) -> None:
    # When a malformed or invalid body is posted
    reply = api.call("POST", "/v1/customers", raw=raw, token=api.login(DEMO_OWNER))

    # Then the answer is problem+json with a stable code, and no customer exists
    assert (reply.status, reply.code) == (status, code), reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    if code == "validation_error":
        assert all(error["loc"] and error["msg"] for error in reply.json()["errors"])
    account = seeded.directory.accounts.by_nickname("demo")
    assert account is not None
    items, _ = seeded.dynamo.query(seeded.directory.table, "pk = :pk AND begins_with(sk, :c)",
                                   {":pk": f"ACCT#{account.id}", ":c": "CUSTOMER#"})
    assert items == []


def test_a_body_over_64_kb_is_refused(api: Api) -> None:
    reply = api.call("POST", "/v1/customers", {"email": "a@example.com", "first_name": "A", "last_name": "B",
                                               "custom_fields": {"notes": "x" * 70_000}}, token=api.login(DEMO_OWNER))
    assert (reply.status, reply.code) == (413, "payload_too_large")


def test_html_in_names_is_escaped_in_the_email(api: Api) -> None:
    reply = api.call("POST", "/v1/customers", {"email": "eve@example.com", "first_name": "<b>Eve</b>",
                                               "last_name": "X", "invite": True}, token=api.login(DEMO_OWNER))
    assert reply.status == 201
    html = sent_emails()[-1]["html"]
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>Eve</b>" not in html


def test_the_same_idempotency_key_creates_once_and_emails_once(api: Api) -> None:
    # Given one Idempotency-Key used twice with the same body
    owner = api.login(DEMO_OWNER)
    body = {"email": "kim@example.com", "first_name": "Kim", "last_name": "Ng", "invite": True}
    first = api.call("POST", "/v1/customers", body, token=owner, headers={"idempotency-key": "k-1"})
    second = api.call("POST", "/v1/customers", body, token=owner, headers={"idempotency-key": "k-1"})

    # Then the second answer repeats the first, and only one customer and one email exist
    assert (first.status, second.status) == (201, 201)
    assert first.json() == second.json()
    assert len(sent_emails()) == 1

    # And the same key with another body is refused
    other = api.call("POST", "/v1/customers", {**body, "first_name": "Kimberly"}, token=owner,
                     headers={"idempotency-key": "k-1"})
    assert (other.status, other.code) == (422, "idempotency_key_reused")


def test_invite_can_correct_the_email_first(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "jane@exmaple.com")
    reply = api.call("POST", f"/v1/customers/{customer['id']}/invite", {"email": "jane@example.com"}, token=owner)
    assert reply.status == 202
    assert [email["to"] for email in sent_emails()] == ["jane@example.com"]
    detail = api.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()
    assert detail["customer"]["email"] == "jane@example.com"
    # the old address is free again, the new one is taken
    assert api.call("POST", "/v1/customers", {"email": "jane@exmaple.com", "first_name": "A", "last_name": "B"},
                    token=owner).status == 201
