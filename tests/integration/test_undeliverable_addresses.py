"""A permanent bounce or a complaint makes the address undeliverable for everyone using it, staff
and customers, in every business: invites and resets to it answer 422 `email_undeliverable`,
forgot-password sends nothing, until the email is changed."""

from __future__ import annotations

from typing import Any

import pytest
from handover.data.principals import CustomerRecord
from handover.runtime import Runtime

from tests.conftest import (
    CLINIC_OWNER,
    DEMO_OWNER,
    OPERATOR,
    Api,
    SentMail,
    deliver_queued_work,
    deliver_ses_event,
    ses_event,
)

SHARED = "frontdesk@demo.example"  # the demo front desk's own address


def forgot(api: Api, realm: str, account: str, email: str) -> None:
    reply = api.call("POST", "/v1/auth/password/forgot", {"realm": realm, "account": account, "email": email})
    assert reply.status == 202
    deliver_queued_work()


@pytest.mark.parametrize("kind", ["bounce", "complaint"])
def test_the_address_becomes_undeliverable_for_everyone_using_it_in_every_business(
        api: Api, seeded: Runtime, mail: list[SentMail], kind: Any) -> None:
    # Given one address used by a demo customer, a clinic customer and the demo front desk (staff),
    # and a demo customer with another address
    demo, clinic = api.login(DEMO_OWNER), api.login(CLINIC_OWNER)
    demo_customer = api.create_customer(demo, SHARED)
    clinic_customer = api.create_customer(clinic, SHARED)
    bystander = api.create_customer(demo, "kim@example.com")
    frontdesk = seeded.directory.principals.login_candidates("staff", demo_customer["account_id"], SHARED)[0]
    assert frontdesk is not None
    assert api.call("POST", f"/v1/customers/{demo_customer['id']}/invite", {}, token=demo).status == 202

    # When the demo customer's invite bounces for good, or draws a complaint
    reply = deliver_ses_event(ses_event(kind, mail[-1]))
    sent_before = len(mail)

    # Then all three are undeliverable, and nobody else
    assert reply["marked_undeliverable"] == 3
    assert api.customer(demo, demo_customer["id"])["email_deliverable"] is False
    assert api.customer(clinic, clinic_customer["id"])["email_deliverable"] is False
    frontdesk = seeded.directory.principals.get("staff", demo_customer["account_id"], frontdesk.id)
    assert frontdesk is not None and frontdesk.email_undeliverable
    assert api.customer(demo, bystander["id"])["email_deliverable"] is True

    # And invites and resets to the address answer 422, forgot-password sends nothing, no email leaves
    for token, customer in ((demo, demo_customer), (clinic, clinic_customer)):
        for route in ("invite", "password-reset"):
            refused = api.call("POST", f"/v1/customers/{customer['id']}/{route}", {}, token=token)
            assert (refused.status, refused.code) == (422, "email_undeliverable"), route
    forgot(api, "staff", "demo", SHARED)
    forgot(api, "customer", "demo", SHARED)
    forgot(api, "customer", "clinic", SHARED)
    assert len(mail) == sent_before
    assert api.call("POST", f"/v1/customers/{bystander['id']}/invite", {}, token=demo).status == 202


def test_an_owner_whose_address_bounced_gets_no_reset(api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # Given an operator sent the demo owner a reset link, and it bounced for good
    operator = api.login(OPERATOR)
    path = f"/v1/operator/accounts/{api.account_id('demo')}/owner/password-reset"
    assert api.call("POST", path, token=operator).status == 202
    reset = mail[-1]
    reply = deliver_ses_event(ses_event("bounce", reset))

    # When the operator sends another, and the owner asks for one
    again = api.call("POST", path, token=operator)
    forgot(api, "staff", "demo", "owner@demo.example")

    # Then the reset link's email is recorded as bounced, the operator is told why, and nothing is sent
    assert reset.tags["realm"] == "staff" and reply["link_changed"] and not reply["last_link_changed"]
    assert (again.status, again.code) == (422, "email_undeliverable")
    assert mail[-1] is reset


@pytest.mark.parametrize("correction", ["invite", "patch"])
def test_a_corrected_email_is_deliverable_again(api: Api, mail: list[SentMail], correction: str) -> None:
    # Given a customer whose invite bounced for good, and a clinic customer using the same address
    demo, clinic = api.login(DEMO_OWNER), api.login(CLINIC_OWNER)
    customer = api.create_customer(demo, SHARED)
    other = api.create_customer(clinic, SHARED)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=demo)
    deliver_ses_event(ses_event("bounce", mail[-1]))

    # When staff correct the email, through the invite's body or a PATCH (then invite)
    if correction == "invite":
        sent = api.call("POST", f"/v1/customers/{customer['id']}/invite", {"email": "jane@example.org"}, token=demo)
    else:
        patched = api.call("PATCH", f"/v1/customers/{customer['id']}", {"email": "jane@example.org"}, token=demo)
        assert patched.json()["customer"]["email_deliverable"] is True
        sent = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=demo)

    # Then the customer is deliverable again and the invite goes to the new address; the clinic's is not
    assert sent.status == 202 and mail[-1].to == "jane@example.org"
    assert api.customer(demo, customer["id"])["email_deliverable"] is True
    assert api.customer(clinic, other["id"])["email_deliverable"] is False


def test_a_bounce_of_an_address_the_customer_no_longer_uses_marks_nobody(
        api: Api, mail: list[SentMail]) -> None:
    # Given an invite to an address that staff then corrected
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "jane@typo.example")
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    sent = mail[-1]
    corrected = api.call("PATCH", f"/v1/customers/{customer['id']}", {"email": "jane@example.org"}, token=owner)
    assert corrected.status == 200

    # When the old address bounces for good
    reply = deliver_ses_event(ses_event("bounce", sent))

    # Then the link says bounced, but the customer, at the new address, stays deliverable
    assert reply["link_changed"] and reply["marked_undeliverable"] == 0
    assert api.customer(owner, customer["id"])["email_deliverable"] is True


def test_a_bounce_landing_between_the_read_and_the_write_stops_the_email(
        api: Api, seeded: Runtime, mail: list[SentMail], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a customer whose address bounced, read by the invite just before the bounce was recorded
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "kim@example.com")
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    deliver_ses_event(ses_event("bounce", mail[-1]))
    sent_before = len(mail)
    visible = seeded.customers.visible

    def as_read_before_the_bounce(caller: Any, customer_id: str) -> CustomerRecord:
        return visible(caller, customer_id).model_copy(update={"email_undeliverable": False})

    monkeypatch.setattr(seeded.customers, "visible", as_read_before_the_bounce)

    # When staff invite again
    reply = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)

    # Then the write's condition refuses it, and nothing is sent
    assert (reply.status, reply.code) == (422, "email_undeliverable")
    assert len(mail) == sent_before
