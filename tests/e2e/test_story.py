"""The whole story over HTTP against the dev server, as a client would live it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest

from tests.e2e.conftest import Http
from tests.e2e.test_local_events import PROBE

pytestmark = pytest.mark.e2e

SCHEMAS = Path(__file__).resolve().parents[2] / "events" / "schemas"
OWNER = {"realm": "staff", "account": "demo", "email": "owner@demo.example", "password": "Owner-Passw0rd!"}


def test_the_banner_tells_the_base_url_the_seed_logins_and_the_outbox(dev_server: Http) -> None:
    banner = dev_server.banner
    assert dev_server.base_url in banner
    for email in ("operator@example.com", "helpdesk@example.com", "owner@demo.example", "frontdesk@demo.example",
                  "owner@clinic.example"):
        assert email in banner
    assert "/_local/outbox" in banner


def test_owner_creates_invites_and_the_customer_claims_then_signs_in(dev_server: Http) -> None:
    # Given the seeded owner of Demo Studio, signed in
    login = dev_server.call("POST", "/v1/auth/login", OWNER)
    assert login.status == 200
    owner = login.json()["access_token"]

    # When they create a customer (no email yet) and invite them
    created = dev_server.call("POST", "/v1/customers", {"email": "Robin.Story@Example.com", "first_name": "Robin",
                                                        "last_name": "Story"}, token=owner)
    assert created.status == 201
    customer = created.json()["customer"]
    assert dev_server.call("GET", "/_local/outbox?to=robin.story@example.com").json() == []
    invited = dev_server.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    assert invited.status == 202 and invited.json()["expires_at"]

    # Then the email is in the outbox, its link points at the portal, and the link reads
    emails = dev_server.call("GET", "/_local/outbox?to=Robin.Story@example.com").json()
    assert len(emails) == 1 and emails[0]["subject"] == "Your Demo Studio account is ready"
    assert emails[0]["text"] and emails[0]["html"] and emails[0]["sent_at"]
    link = next(url for url in emails[0]["links"] if "token=" in url)
    assert link.startswith(f"{dev_server.base_url}/claim?token=")
    token = link.split("token=")[1]
    info = dev_server.call("GET", f"/v1/auth/links/{token}").json()
    assert info == {"kind": "invite", "account_name": "Demo Studio", "email_hint": "r***@example.com",
                    "expires_at": invited.json()["expires_at"]}

    # When the customer claims with a weak password, then a valid one
    weak = dev_server.call("POST", "/v1/auth/claim", {"token": token, "password": "robin"})
    assert weak.status == 422 and weak.headers["content-type"] == "application/problem+json"
    claimed = dev_server.call("POST", "/v1/auth/claim", {"token": token, "password": "Tide-Pool-Lantern-7"})
    assert claimed.status == 200

    # Then the link is spent, the customer signs in and reads their own profile
    assert dev_server.call("POST", "/v1/auth/claim", {"token": token, "password": "Tide-Pool-Lantern-7"}).status == 410
    signed_in = dev_server.call("POST", "/v1/auth/login", {"realm": "customer", "account": "demo",
                                                           "email": "robin.story@example.com",
                                                           "password": "Tide-Pool-Lantern-7"})
    assert signed_in.status == 200
    me = dev_server.call("GET", "/v1/me", token=signed_in.json()["access_token"])
    assert me.status == 200
    assert me.json()["customer"]["id"] == customer["id"]
    assert me.json()["customer"]["status"] == "active" and me.json()["customer"]["email_verified"] is True

    # And the owner sees the claimed customer
    seen = dev_server.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()
    assert seen["customer"]["status"] == "active"


def test_public_documents_are_served(dev_server: Http) -> None:
    assert dev_server.call("GET", "/.well-known/jwks.json").json()["keys"][0]["alg"] == "ES256"
    assert "/v1/customers" in dev_server.call("GET", "/openapi.json").json()["paths"]
    assert dev_server.call("GET", "/docs").status == 200
    unknown = dev_server.call("GET", "/v1/nothing-here")
    assert unknown.status == 404


def _wait_for_email(dev_server: Http, to: str, count: int, timeout: float = 20) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        emails = dev_server.call("GET", f"/_local/outbox?to={to}").json()
        if len(emails) >= count:
            return emails
        time.sleep(0.2)
    raise AssertionError(f"no email #{count} to {to} within {timeout} s")


def test_forgot_password_reset_lock_login_as_history_and_cleanup(dev_server: Http) -> None:
    # Given a customer created by the owner, never invited
    owner = dev_server.call("POST", "/v1/auth/login", OWNER).json()["access_token"]
    customer = dev_server.call("POST", "/v1/customers", {"email": "casey@example.com", "first_name": "Casey",
                                                         "last_name": "Jones"}, token=owner).json()["customer"]

    # When they use forgot-password (answered at once; the email follows from the queue worker)
    forgot = {"realm": "customer", "account": "demo", "email": "casey@example.com"}
    known = dev_server.call("POST", "/v1/auth/password/forgot", forgot)
    unknown = dev_server.call("POST", "/v1/auth/password/forgot", {**forgot, "email": "nobody@example.com"})
    assert (known.status, known.body) == (unknown.status, unknown.body) == (202, known.body)
    email = _wait_for_email(dev_server, "casey@example.com", 1)[0]
    token = next(url for url in email["links"] if "/reset?token=" in url).split("token=")[1]

    # Then the reset link claims the account and signs them in
    reset = dev_server.call("POST", "/v1/auth/password/reset", {"token": token, "password": "Amber-Kettle-Drum-5"})
    assert reset.status == 200
    session = reset.json()["access_token"]
    assert dev_server.call("GET", "/v1/me", token=session).json()["customer"]["status"] == "active"

    # When staff lock the customer, the session dies at once; unlocked, it stays dead
    assert dev_server.call("POST", f"/v1/customers/{customer['id']}/lock", {}, token=owner).status == 200
    assert dev_server.call("GET", "/v1/me", token=session).status == 401
    assert dev_server.call("POST", f"/v1/customers/{customer['id']}/unlock", {}, token=owner).status == 200
    assert dev_server.call("GET", "/v1/me", token=session).status == 401

    # When an operator logs in as the owner and acts, history shows both identities
    operator = dev_server.call("POST", "/v1/auth/login", {"realm": "operator", "email": "operator@example.com",
                                                          "password": "Operator-Passw0rd!"}).json()["access_token"]
    account_id = customer["account_id"]
    acting = dev_server.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"reason": "e2e"},
                             token=operator).json()["access_token"]
    assert dev_server.call("POST", f"/v1/customers/{customer['id']}/lock", {}, token=acting).status == 200
    items = dev_server.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"]
    assert items[0]["action"] == "customer.locked"
    assert items[0]["actor"]["email"] == "operator@example.com"
    assert items[0]["on_behalf_of"]["email"] == "owner@demo.example"

    # And the scheduled cleanup runs on demand, as `make invoke FN=cleanup` asks it to
    ran = dev_server.call("POST", "/_local/invoke/cleanup")
    assert ran.status == 200 and set(ran.json()) == {"history_removed", "links_removed", "accounts_settled",
                                                     "sessions_removed"}


def test_the_directory_story(dev_server: Http) -> None:
    # Given the owner, who adds a few customers
    owner = dev_server.call("POST", "/v1/auth/login", OWNER).json()["access_token"]
    people = [("Zoë", "Müller", "zoe.story@example.com"), ("Zack", "Quill", "zack.quill@example.com"),
              ("Amir", "Quill", "amir.quill@example.com")]
    ids = {}
    for first, last, email in people:
        created = dev_server.call("POST", "/v1/customers", {"email": email, "first_name": first, "last_name": last},
                                  token=owner)
        assert created.status == 201
        ids[first] = created.json()["customer"]["id"]

    # When staff search by an accent-free prefix, and page through the Quills one at a time
    found = dev_server.call("GET", "/v1/customers?q=zoe%20m", token=owner).json()
    assert [item["last_name"] for item in found["items"]] == ["Müller"]
    first_page = dev_server.call("GET", "/v1/customers?q=quill&limit=1", token=owner).json()
    second_page = dev_server.call("GET", f"/v1/customers?q=quill&limit=1&cursor={first_page['next_cursor']}",
                                  token=owner).json()
    assert [item["first_name"] for item in first_page["items"] + second_page["items"]] == ["Amir", "Zack"]
    assert second_page["next_cursor"] is None

    # And invite Zack, who claims, then finds himself among the active ones
    dev_server.call("POST", f"/v1/customers/{ids['Zack']}/invite", {}, token=owner)
    link = _wait_for_email(dev_server, "zack.quill@example.com", 1)[0]["links"][0]
    claimed = dev_server.call("POST", "/v1/auth/claim", {"token": link.split("token=")[1],
                                                         "password": "Tide-Pool-Lantern-7"})
    assert claimed.status == 200
    active = dev_server.call("GET", "/v1/customers?q=quill&status=active", token=owner).json()["items"]
    assert [item["first_name"] for item in active] == ["Zack"]

    # When staff correct Amir's name and email, the directory follows
    patched = dev_server.call("PATCH", f"/v1/customers/{ids['Amir']}",
                              {"last_name": "Quiller", "email": "amir@example.com"}, token=owner)
    assert patched.status == 200 and patched.json()["customer"]["email"] == "amir@example.com"
    assert [item["first_name"] for item in
            dev_server.call("GET", "/v1/customers?q=quiller", token=owner).json()["items"]] == ["Amir"]

    # And Zack changes his phone himself, but not his name; then his password, which ends his other session
    zack = claimed.json()["access_token"]
    assert dev_server.call("PATCH", "/v1/me", {"phone": "+44 20 7946 0123"}, token=zack).status == 200
    refused = dev_server.call("PATCH", "/v1/me", {"first_name": "Zed"}, token=zack)
    assert (refused.status, refused.json()["code"]) == (403, "field_not_editable")
    changed = dev_server.call("PUT", "/v1/me/password", {"current_password": "Tide-Pool-Lantern-7",
                                                         "new_password": "Harbour-Light-Beam-3"}, token=zack)
    assert changed.status == 200
    assert dev_server.call("GET", "/v1/me", token=zack).status == 401
    me = dev_server.call("GET", "/v1/me", token=changed.json()["access_token"]).json()["customer"]
    assert (me["first_name"], me["phone"]) == ("Zack", "+44 20 7946 0123")


def test_the_events_story(dev_server: Http) -> None:
    # Given the owner of Demo Studio, and a booking the platform made before the customer existed
    owner = dev_server.call("POST", "/v1/auth/login", OWNER).json()["access_token"]
    demo = _demo_account_id(dev_server, owner)
    early = {"source": "platform", "detail-type": "booking.created",
             "detail": {"account_id": demo, "booking_id": "e2e-b1", "email": "eve.story@example.com",
                        "reference": "R-1", "created_at": "2026-11-01T09:00:00Z"}}
    posted = dev_server.call("POST", "/_local/events", early)
    assert posted.status == 202 and posted.json()["delivered_to"] == ["platform_events"], posted.body
    assert dev_server.call("POST", "/_local/events", early).status == 202  # the same event twice is kept once

    # When the customer is created, another booking comes and the first is cancelled
    customer = dev_server.call("POST", "/v1/customers", {"email": "eve.story@example.com", "first_name": "Eve",
                                                         "last_name": "Story"}, token=owner).json()["customer"]
    assert customer["booking_count"] == 1
    dev_server.call("POST", "/_local/events", [
        {"source": "platform", "detail-type": "booking.created",
         "detail": {"account_id": demo, "booking_id": "e2e-b2", "email": "eve.story@example.com",
                    "created_at": "2026-11-02T09:00:00Z"}},
        {"source": "platform", "detail-type": "booking.cancelled", "detail": {"account_id": demo,
                                                                            "booking_id": "e2e-b1"}}])

    # Then both bookings are hers, newest first, the first cancelled
    detail = dev_server.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()
    assert detail["customer"]["booking_count"] == 2
    assert [(b["id"], b["cancelled"]) for b in detail["bookings"]] == [("e2e-b2", False), ("e2e-b1", True)]

    # When she is invited and SES reports the invite bounced for good
    assert dev_server.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202
    sent = dev_server.call("GET", "/_local/outbox?to=eve.story@example.com").json()[0]
    bounce = {"source": "aws.ses", "detail-type": "Email Bounced",
              "detail": {"eventType": "Bounce", "mail": {"messageId": sent["message_id"]},
                         "bounce": {"bounceType": "Permanent", "bounceSubType": "General",
                                    "bouncedRecipients": [{"emailAddress": "eve.story@example.com"}],
                                    "timestamp": "2026-12-03T10:00:00Z", "feedbackId": "f-1"}}}
    assert dev_server.call("POST", "/_local/events", bounce).json()["delivered_to"] == ["delivery_events"]

    # Then she shows undeliverable, and a second invite is refused until staff correct the address
    bounced = dev_server.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()["customer"]
    assert bounced["email_deliverable"] is False and bounced["last_link"]["delivery"] == "bounced"
    again = dev_server.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    assert (again.status, again.json()["code"]) == (422, "email_undeliverable")
    corrected = dev_server.call("PATCH", f"/v1/customers/{customer['id']}", {"email": "eve@example.com"},
                                token=owner).json()["customer"]
    assert corrected["email_deliverable"] is True

    # And every event Handover raised about her reached its bus, each valid against its schema
    wanted = ["customer.created", "customer.invited", "customer.updated"]
    raised = _wait_for_events(dev_server, customer["id"], wanted)
    assert sorted({event["detail-type"] for event in raised}) == sorted(wanted)

    # And so is every event the story has published so far, whoever it was about (but the probes that
    # tests/e2e/test_local_events.py writes straight into the outbox, which no action raises)
    published = [event for event in dev_server.call("GET", "/_local/events").json() if event["detail-type"] != PROBE]
    assert {event["source"] for event in published} == {"handover"}
    for event in published:
        schema = json.loads((SCHEMAS / f"{event['detail-type']}.json").read_text())
        jsonschema.validate(event["detail"], schema)


def _demo_account_id(dev_server: Http, owner: str) -> str:
    created = dev_server.call("POST", "/v1/customers", {"email": "probe.events@example.com", "first_name": "P",
                                                        "last_name": "Robe"}, token=owner)
    account: str = created.json()["customer"]["account_id"]
    return account


def _wait_for_events(dev_server: Http, customer_id: str, wanted: list[str], timeout: float = 20) -> list[dict]:
    """The events about the customer on Handover's bus, once each wanted type has arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        about = [event for event in dev_server.call("GET", "/_local/events").json()
                 if event["detail"].get("data", {}).get("customer", {}).get("id") == customer_id]
        if set(wanted) <= {event["detail-type"] for event in about}:
            return about
        time.sleep(0.2)
    raise AssertionError(f"not every one of {wanted} reached the bus within {timeout} s")


def test_the_operator_story(dev_server: Http) -> None:
    # Given an operator with the Secure role
    operator = dev_server.call("POST", "/v1/auth/login", {"realm": "operator", "email": "operator@example.com",
                                                          "password": "Operator-Passw0rd!"}).json()["access_token"]
    before = dev_server.call("GET", "/v1/operator/accounts", token=operator).json()["counts"]

    # When they open a business with its owner, tag it and assign it to themselves
    opened = dev_server.call("POST", "/v1/operator/accounts", {
        "name": "Lakeside Physio", "nickname": "lakeside", "package": "pro", "staff_slots": 2,
        "owner": {"email": "lena@lakeside.example", "first_name": "Lena", "last_name": "Lake"}}, token=operator)
    assert opened.status == 201, opened.body
    account = opened.json()["account"]
    assert (account["status"], account["owner"]["status"]) == ("new", "unclaimed")
    me = next(item["id"] for item in dev_server.call("GET", "/v1/operator/operators", token=operator).json()["items"]
              if item["email"] == "operator@example.com")
    patched = dev_server.call("PATCH", f"/v1/operator/accounts/{account['id']}", {"tags": ["physio"],
                                                                                   "operators": [me]}, token=operator)
    assert patched.status == 200, patched.body

    # Then it is counted as new, and found by its tag, by a query and among the operator's own
    counts = dev_server.call("GET", "/v1/operator/accounts", token=operator).json()["counts"]
    assert counts["new"] == before["new"] + 1
    for query in ("?tag=physio", "?q=lakes", "?mine=true", "?q=lena%40lake&status=new"):
        found = dev_server.call("GET", f"/v1/operator/accounts{query}", token=operator).json()["items"]
        assert account["id"] in [item["id"] for item in found], query

    # When the operator invites the owner, and the owner claims the account from the email
    invited = dev_server.call("POST", f"/v1/operator/accounts/{account['id']}/owner/invite", {}, token=operator)
    assert invited.status == 202, invited.body
    owner = _claim_from_outbox(dev_server, "lena@lakeside.example", "Lakeside-Owner-77")

    # And the owner adds a staff member, who claims theirs too; the last slot is then taken
    added = dev_server.call("POST", "/v1/staff", {"email": "sam@lakeside.example", "first_name": "Sam",
                                                  "last_name": "Shore", "perms": ["customers:read"]}, token=owner)
    assert added.status == 201, added.body
    member = added.json()["staff"]
    _claim_from_outbox(dev_server, "sam@lakeside.example", "Lakeside-Staff-88")
    full = dev_server.call("POST", "/v1/staff", {"email": "extra@lakeside.example", "first_name": "E",
                                                 "last_name": "X", "perms": ["customers:read"]}, token=owner)
    assert (full.status, full.json()["code"]) == (409, "staff_limit_reached")
    staff = dev_server.call("GET", f"/v1/operator/accounts/{account['id']}/staff", token=operator).json()["items"]
    assert sorted((item["email"], item["status"]) for item in staff) == [
        ("lena@lakeside.example", "active"), ("sam@lakeside.example", "active")]

    # When the operator logs in as the staff member and reads the customers
    acting = dev_server.call("POST", f"/v1/operator/accounts/{account['id']}/login-as",
                             {"staff_id": member["id"], "reason": "e2e operator story"}, token=operator)
    assert acting.status == 200, acting.body
    assert dev_server.call("GET", "/v1/customers", token=acting.json()["access_token"]).status == 200

    # Then the business's history tells the story, newest first, with the operator on every entry of theirs
    history = dev_server.call("GET", f"/v1/operator/accounts/{account['id']}/history",
                              token=operator).json()["items"]
    actions = [entry["action"] for entry in history]
    assert actions == ["operator.login_as", "staff.claimed", "staff.claimed", "owner.invite_sent", "account.updated",
                       "account.created"]
    assert all(entry["actor"]["email"] == "operator@example.com" for entry in history
               if entry["actor"]["realm"] == "operator")


def _claim_from_outbox(dev_server: Http, email: str, password: str) -> str:
    """Claims the account from the newest link emailed to `email`; the access token it gives."""
    sent = dev_server.call("GET", f"/_local/outbox?to={email}").json()[0]
    link = next(url for url in sent["links"] if "token=" in url).split("token=")[1]
    claimed = dev_server.call("POST", "/v1/auth/claim", {"token": link, "password": password})
    assert claimed.status == 200, claimed.body
    token: str = claimed.json()["access_token"]
    return token
