"""Password resets: forgot-password leaks nothing, reset links revoke, staff-sent and staff-set
passwords, brute-force protection."""

from __future__ import annotations

import time

import pytest
from handover.runtime import Runtime

from tests.conftest import (
    DEMO_OWNER,
    GOOD_PASSWORD,
    HELPDESK,
    OPERATOR,
    Api,
    deliver_queued_work,
    last_link_token,
    sent_emails,
)

NEW_PASSWORD = "Quiet-Meadow-Lamp-8"


def forgot(api: Api, email: str, source: str = "203.0.113.7", realm: str = "customer") -> object:
    return api.gateway.invoke("POST", "/v1/auth/password/forgot", {"content-type": "application/json"},
                              f'{{"realm": "{realm}", "account": "demo", "email": "{email}"}}'.encode(), source)


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(api: Api) -> None:
    # Given a claimed customer, an unclaimed one and a locked one
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner, "known@example.com")
    api.create_customer(owner, "unclaimed@example.com")
    locked, _ = api.claimed_customer(owner, "locked@example.com")
    api.call("POST", f"/v1/customers/{locked['id']}/lock", {}, token=owner)

    # When forgot-password is asked for each of them and for an unknown address
    replies = [forgot(api, email) for email in ("known@example.com", "unclaimed@example.com",
                                                "locked@example.com", "nobody@example.com")]

    # Then status, the headers that matter and the body are identical
    statuses = {status for status, _, _ in replies}
    bodies = {body for _, _, body in replies}
    header_sets = {tuple(sorted((name, value) for name, value in headers.items()
                                if name in ("content-type", "retry-after", "cache-control")))
                   for _, headers, _ in replies}
    assert statuses == {202} and len(bodies) == 1 and len(header_sets) == 1

    # And only the existing, unlocked people get a reset email, once the work is done
    emails_before = len(sent_emails())
    deliver_queued_work()
    sent_to = [email["to"] for email in sent_emails()[emails_before:]]
    assert sorted(sent_to) == ["known@example.com", "unclaimed@example.com"]


def test_reset_sets_the_password_and_kills_older_sessions_and_links(api: Api) -> None:
    # Given a claimed customer with a live session and two reset links (the first revoked by the second)
    owner = api.login(DEMO_OWNER)
    _, old_session = api.claimed_customer(owner)
    forgot(api, "jane.doe@example.com")
    deliver_queued_work()
    first_link = last_link_token("jane.doe@example.com")
    forgot(api, "jane.doe@example.com")
    deliver_queued_work()
    second_link = last_link_token("jane.doe@example.com")

    # When the newest link resets the password
    assert api.call("GET", f"/v1/auth/links/{first_link}").status == 410
    assert api.call("GET", f"/v1/auth/links/{second_link}").json()["kind"] == "reset"
    reset = api.call("POST", "/v1/auth/password/reset", {"token": second_link, "password": NEW_PASSWORD})

    # Then the new password works, the old session and both links are dead
    assert reset.status == 200
    assert api.call("GET", "/v1/me", token=reset.json()["access_token"]).status == 200
    assert api.call("GET", "/v1/me", token=old_session).status == 401
    for link in (first_link, second_link):
        assert api.call("POST", "/v1/auth/password/reset", {"token": link, "password": NEW_PASSWORD}).status == 410
    login = {"realm": "customer", "account": "demo", "email": "jane.doe@example.com"}
    assert api.call("POST", "/v1/auth/login", {**login, "password": GOOD_PASSWORD}).status == 401
    assert api.call("POST", "/v1/auth/login", {**login, "password": NEW_PASSWORD}).status == 200


def test_an_unclaimed_customer_claims_through_forgot_password(api: Api) -> None:
    # Given a customer staff created, never invited (the Storeganise flow)
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "walkin@example.com")

    # When they use forgot-password and the link it sends
    forgot(api, "walkin@example.com")
    deliver_queued_work()
    assert sent_emails()[-1]["subject"] == "Set a password for your Demo Studio account"
    reply = api.call("POST", "/v1/auth/password/reset", {"token": last_link_token("walkin@example.com"),
                                                         "password": NEW_PASSWORD})

    # Then the account is claimed: active, verified, signed in
    assert reply.status == 200
    seen = api.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()["customer"]
    assert (seen["status"], seen["email_verified"]) == ("active", True)


def test_reset_follows_the_password_policy_and_changes_nothing_when_refused(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner)
    forgot(api, "jane.doe@example.com")
    deliver_queued_work()
    link = last_link_token("jane.doe@example.com")
    weak = api.call("POST", "/v1/auth/password/reset", {"token": link, "password": "password1"})
    assert (weak.status, weak.code) == (422, "password_policy")
    assert api.call("GET", f"/v1/auth/links/{link}").status == 200


@pytest.fixture
def frozen_clock(seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> float:
    """Rate windows are fixed windows: pin the clock in the middle of one, so no test straddles two."""
    now = (time.time() // 3600) * 3600 + 1800 + 30
    monkeypatch.setattr(seeded.resets, "_clock", lambda: now)
    monkeypatch.setattr(seeded.logins, "_clock", lambda: now)
    monkeypatch.setattr(seeded.claiming, "_clock", lambda: now)
    return now


def test_at_most_three_reset_emails_per_address_per_hour(api: Api, frozen_clock: float) -> None:
    api.claimed_customer(api.login(DEMO_OWNER))
    before = len(sent_emails())
    for _ in range(5):
        status, _, _ = forgot(api, "jane.doe@example.com")
        assert status == 202
        deliver_queued_work()
    assert len(sent_emails()) - before == 3


def test_forgot_password_is_throttled_per_source_not_per_email(api: Api, frozen_clock: float) -> None:
    statuses = [forgot(api, f"person{number}@example.com", source="198.51.100.9")[0] for number in range(12)]
    assert statuses[:10] == [202] * 10
    status, headers, body = forgot(api, "someone@example.com", source="198.51.100.9")
    assert status == 429 and int(headers["retry-after"]) > 0 and b'"code":"rate_limited"' in body
    # another source is not affected
    assert forgot(api, "someone@example.com", source="198.51.100.10")[0] == 202


def test_staff_send_a_reset_link_correcting_the_email_first(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "kim@exmaple.com")
    reply = api.call("POST", f"/v1/customers/{customer['id']}/password-reset", {"email": "kim@example.com"},
                     token=owner)
    assert reply.status == 202 and reply.json()["expires_at"]
    assert sent_emails()[-1]["to"] == "kim@example.com"
    link = last_link_token("kim@example.com")
    assert api.call("POST", "/v1/auth/password/reset", {"token": link, "password": NEW_PASSWORD}).status == 200


def test_staff_set_a_password_directly_but_the_email_must_still_be_verified(api: Api) -> None:
    # Given an unclaimed customer and a claimed one with a live session
    owner = api.login(DEMO_OWNER)
    unclaimed = api.create_customer(owner, "fresh@example.com")
    claimed, session = api.claimed_customer(owner)

    # When staff set both passwords
    for customer in (unclaimed, claimed):
        reply = api.call("PUT", f"/v1/customers/{customer['id']}/password", {"password": NEW_PASSWORD}, token=owner)
        assert reply.status == 204 and reply.body == b""

    # Then the claimed customer's session is dead and the new password works for them;
    # the unclaimed one has the right password but no verified email, so no token
    assert api.call("GET", "/v1/me", token=session).status == 401
    login = {"realm": "customer", "account": "demo", "password": NEW_PASSWORD}
    assert api.call("POST", "/v1/auth/login", {**login, "email": "jane.doe@example.com"}).status == 200
    unverified = api.call("POST", "/v1/auth/login", {**login, "email": "fresh@example.com"})
    assert (unverified.status, unverified.code) == (403, "not_verified")
    weak = api.call("PUT", f"/v1/customers/{unclaimed['id']}/password", {"password": "short"}, token=owner)
    assert (weak.status, weak.code) == (422, "password_policy")


def test_five_failed_logins_block_the_next_ones_for_known_and_unknown_emails(api: Api, seeded: Runtime,
                                                                            frozen_clock: float) -> None:
    # Given five wrong passwords for a known and for an unknown email
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner)
    for email in ("jane.doe@example.com", "ghost@example.com"):
        attempt = {"realm": "customer", "account": "demo", "email": email, "password": "Wrong-Passw0rd-1"}
        for _ in range(5):
            assert api.call("POST", "/v1/auth/login", attempt).status == 401

        # Then even the right password is refused with 429 and Retry-After, the same for both
        blocked = api.call("POST", "/v1/auth/login", {**attempt, "password": GOOD_PASSWORD})
        assert (blocked.status, blocked.code) == (429, "too_many_attempts")
        assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60

    # And a successful reset lifts the block for the known email
    forgot(api, "jane.doe@example.com")
    deliver_queued_work()
    assert api.call("POST", "/v1/auth/password/reset", {"token": last_link_token("jane.doe@example.com"),
                                                        "password": NEW_PASSWORD}).status == 200
    assert api.call("POST", "/v1/auth/login", {"realm": "customer", "account": "demo",
                                               "email": "jane.doe@example.com", "password": NEW_PASSWORD}).status == 200


def test_an_operator_sends_the_owner_a_reset_link(api: Api) -> None:
    operator = api.login(OPERATOR)
    reply = api.call("POST", f"/v1/operator/accounts/{api.account_id('demo')}/owner/password-reset", token=operator)
    assert reply.status == 202
    assert sent_emails()[-1]["to"] == "owner@demo.example"
    link = last_link_token("owner@demo.example")
    reset = api.call("POST", "/v1/auth/password/reset", {"token": link, "password": NEW_PASSWORD})
    assert reset.status == 200
    assert api.call("POST", "/v1/auth/login", {**DEMO_OWNER, "password": NEW_PASSWORD}).status == 200


@pytest.mark.parametrize("nickname", ["clinic"])
def test_a_secure_business_needs_a_secure_operator(api: Api, nickname: str) -> None:
    account_id = api.account_id(nickname)
    helpdesk = api.login(HELPDESK)
    for method, path in (("POST", "owner/password-reset"), ("POST", "lock"), ("POST", "login-as"),
                         ("GET", "history")):
        reply = api.call(method, f"/v1/operator/accounts/{account_id}/{path}", token=helpdesk)
        assert (reply.status, reply.code) == (403, "secure_account"), path
    secure = api.login(OPERATOR)
    assert api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=secure).status == 200
