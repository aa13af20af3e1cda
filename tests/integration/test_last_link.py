"""A customer's `last_link`: written with the link (no round trip of its own), put back when the
email could not be sent (so it never claims an email went out that did not), moved on by what
SES reports, and shown wherever the customer is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from handover.data.principals import LastLink
from handover.links.tokens import hash_token
from handover.runtime import Runtime

from tests.conftest import (
    DEMO_OWNER,
    Api,
    SentMail,
    deliver_ses_event,
    failing,
    last_link_token,
    ses_event,
)

EMAIL = "jane.doe@example.com"


def test_last_link_is_null_until_a_link_is_sent(api: Api, mail: list[SentMail]) -> None:
    # Given a new customer
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    assert customer["last_link"] is None

    # When staff invite them, then send them a reset link
    before = datetime.now(UTC).replace(microsecond=0)
    invite = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    after_invite = api.customer(owner, customer["id"])["last_link"]
    reset = api.call("POST", f"/v1/customers/{customer['id']}/password-reset", {}, token=owner)
    after_reset = api.customer(owner, customer["id"])["last_link"]

    # Then last_link names each as it went out, with the expiry the request answered
    assert after_invite["kind"] == "invite" and after_invite["delivery"] == "sent"
    assert after_invite["expires_at"] == invite.json()["expires_at"]
    assert datetime.fromisoformat(after_invite["sent_at"]) >= before
    assert after_reset == {"kind": "reset", "sent_at": after_reset["sent_at"],
                           "expires_at": reset.json()["expires_at"], "delivery": "sent"}


def test_last_link_follows_delivery_and_shows_wherever_the_customer_does(api: Api, mail: list[SentMail]) -> None:
    # Given an invited customer
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)

    # When SES reports the invite delivered
    deliver_ses_event(ses_event("delivery", mail[-1]))

    # Then the customer read, the directory page and a PATCH's answer all say delivered
    listed = api.call("GET", "/v1/customers", token=owner).json()["items"]
    patched = api.call("PATCH", f"/v1/customers/{customer['id']}", {"phone": "+4915112345678"}, token=owner)
    assert api.customer(owner, customer["id"])["last_link"]["delivery"] == "delivered"
    assert [item["last_link"]["delivery"] for item in listed if item["id"] == customer["id"]] == ["delivered"]
    assert patched.json()["customer"]["last_link"]["delivery"] == "delivered"


def test_a_failed_send_puts_the_previous_last_link_back(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a customer invited once, then SES failing
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    sent = api.customer(owner, customer["id"])["last_link"]
    monkeypatch.setattr(seeded.mailer._ses, "send_email", failing("SendEmail"))

    # When staff invite again, and send a reset link
    invite = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    reset = api.call("POST", f"/v1/customers/{customer['id']}/password-reset", {}, token=owner)

    # Then both failed, and last_link still names the invite that did go out
    assert (invite.status, invite.code) == (reset.status, reset.code) == (503, "email_unavailable")
    assert api.customer(owner, customer["id"])["last_link"] == sent


@pytest.mark.parametrize("how", ["invite", "create with invite"])
def test_a_first_link_that_could_not_be_sent_leaves_no_last_link(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    # Given SES failing
    owner = api.login(DEMO_OWNER)
    monkeypatch.setattr(seeded.mailer._ses, "send_email", failing("SendEmail"))

    # When a customer's first invite is sent
    if how == "invite":
        customer = api.create_customer(owner)
        answered = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
        assert answered.status == 503
    else:
        created = api.call("POST", "/v1/customers", {"email": EMAIL, "first_name": "Jane", "last_name": "Doe",
                                                     "invite": True}, token=owner)
        assert created.json()["invite"]["sent"] is False
        customer = created.json()["customer"]
        assert customer["last_link"] is None

    # Then the customer has no last_link (the link itself was stored, and is held by nobody)
    assert api.customer(owner, customer["id"])["last_link"] is None


def test_putting_back_never_replaces_a_newer_link(api: Api, seeded: Runtime) -> None:
    # Given a customer invited twice: the first link, then the second (now the last)
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    first = seeded.links.store.get(hash_token(last_link_token(EMAIL)))
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    second = seeded.links.store.get(hash_token(last_link_token(EMAIL)))
    record = seeded.directory.customers.get(customer["account_id"], customer["id"])
    assert first is not None and second is not None and record is not None
    before_first = record.model_copy(update={"last_link": None})
    before_second = record.model_copy(update={"last_link": LastLink.of(first)})
    customers = seeded.directory.customers

    # When the first send's failure would put back what came before it, and then the second's would
    late = seeded.dynamo.applied(customers.restore_last_link(before_first, LastLink.of(first)))
    in_time = seeded.dynamo.applied(customers.restore_last_link(before_second, LastLink.of(second)))

    # Then the first changed nothing (the second link was the last), the second put the first back
    assert (late, in_time) == (False, True)
    stored = seeded.directory.customers.get(customer["account_id"], customer["id"])
    assert stored is not None and stored.last_link == LastLink.of(first)


def test_an_invite_still_costs_four_round_trips(api: Api, calls: list[str], mail: list[SentMail]) -> None:
    # Given a customer (after a first invite that pays the cold start)
    owner = api.login(DEMO_OWNER)
    warm = api.create_customer(owner, "warm@example.com")
    api.call("POST", f"/v1/customers/{warm['id']}/invite", {}, token=owner)
    customer = api.create_customer(owner)
    calls.clear()

    # When staff invite them
    assert api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner,
                    headers={"idempotency-key": "k-trips"}).status == 202

    # Then last_link, the tags and the configuration set rode along: the same four calls as ever
    assert calls == ["BatchGetItem", "GetItem", "TransactWriteItems", "SendEmail"]
    assert mail[-1].tags["link"] and mail[-1].configuration_set
