"""Idempotency-Key: the first answer stands for 24 hours, recorded in the action's own
transaction (so the key costs no round trip), forgotten when the email failed, amended when the
answer changed after the transaction."""

from __future__ import annotations

import pytest
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, GOOD_PASSWORD, Api, failing, last_link_token, sent_emails

BODY = {"email": "kim@example.com", "first_name": "Kim", "last_name": "Ng"}


@pytest.mark.parametrize("invite", [False, True])
def test_a_key_adds_no_round_trip(api: Api, calls: list[str], invite: bool) -> None:
    # Given two creates, one without a key and one with (after a first that pays the cold start)
    owner = api.login(DEMO_OWNER)
    api.create_customer(owner, "first@example.com")
    calls.clear()
    plain = api.call("POST", "/v1/customers", {**BODY, "invite": invite}, token=owner)
    without_key = list(calls)
    calls.clear()
    keyed = api.call("POST", "/v1/customers", {**BODY, "email": "kim2@example.com", "invite": invite}, token=owner,
                     headers={"idempotency-key": "k-trips"})

    # Then both made the same calls: the record rode in the create's own transaction
    assert (plain.status, keyed.status) == (201, 201)
    assert calls == without_key
    assert calls.count("TransactWriteItems") == 1 and len(calls) == (4 if invite else 3)


def test_a_repeat_is_answered_from_the_record_even_when_a_check_would_now_fail(api: Api) -> None:
    # Given an invite sent with a key, and the customer has claimed since
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "kim@example.com")
    path = f"/v1/customers/{customer['id']}/invite"
    first = api.call("POST", path, {}, token=owner, headers={"idempotency-key": "k-claimed"})
    assert api.call("POST", "/v1/auth/claim", {"token": last_link_token("kim@example.com"),
                                               "password": GOOD_PASSWORD}).status == 200

    # When the invite is repeated with the same key, and sent again without one
    repeat = api.call("POST", path, {}, token=owner, headers={"idempotency-key": "k-claimed"})
    fresh = api.call("POST", path, {}, token=owner)

    # Then the repeat answers as the first did, sending nothing; a new request is refused
    assert (first.status, repeat.status) == (202, 202) and repeat.json() == first.json()
    assert len(sent_emails()) == 1
    assert (fresh.status, fresh.code) == (409, "already_claimed")


def test_a_key_belongs_to_its_caller_and_action(api: Api) -> None:
    # Given one key used by the owner for a create
    owner = api.login(DEMO_OWNER)
    assert api.call("POST", "/v1/customers", BODY, token=owner, headers={"idempotency-key": "shared"}).status == 201

    # When the same key comes with an invite, and with another body on the same action
    customer = api.create_customer(owner, "lee@example.com")
    invite = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner,
                      headers={"idempotency-key": "shared"})
    reused = api.call("POST", "/v1/customers", {**BODY, "last_name": "Other"}, token=owner,
                      headers={"idempotency-key": "shared"})

    # Then the invite is its own request, and the other body is refused without creating anything
    assert invite.status == 202
    assert (reused.status, reused.code) == (422, "idempotency_key_reused")


def test_create_with_invite_and_ses_down_repeats_the_unsent_invite(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given SES failing while a customer is created with an invite
    owner = api.login(DEMO_OWNER)
    monkeypatch.setattr(seeded.mailer._ses, "send_email", failing("SendEmail"))
    first = api.call("POST", "/v1/customers", {**BODY, "invite": True}, token=owner,
                     headers={"idempotency-key": "k-ses"})

    # When the request is repeated with the same key
    repeat = api.call("POST", "/v1/customers", {**BODY, "invite": True}, token=owner,
                      headers={"idempotency-key": "k-ses"})

    # Then the customer exists once, the answer says the invite was not sent, and the repeat says so too
    assert (first.status, repeat.status) == (201, 201)
    assert first.json()["invite"] == {"sent": False, "expires_at": None, "code": "email_unavailable"}
    assert repeat.json() == first.json()
    assert sent_emails() == []


def test_create_with_invite_writes_customer_and_link_at_once(api: Api) -> None:
    # When a customer is created with an invite
    owner = api.login(DEMO_OWNER)
    created = api.call("POST", "/v1/customers", {**BODY, "invite": True}, token=owner)

    # Then the customer is invited, the email went out, and its link claims the account
    assert created.status == 201
    assert created.json()["customer"]["status"] == "invited"
    assert created.json()["invite"]["sent"] is True
    assert api.call("POST", "/v1/auth/claim", {"token": last_link_token("kim@example.com"),
                                               "password": GOOD_PASSWORD}).status == 200
