"""A signed-in customer's own account: PATCH /v1/me (the phone; names and email are the
business's) and PUT /v1/me/password (the current password first; every older token dies).
Custom fields on PATCH /v1/me are tested with the staff ones, in test_profile_changes.py."""

from __future__ import annotations

import time
from typing import Any

import pytest
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, GOOD_PASSWORD, Api, Reply

NEW_PASSWORD = "Quiet-Meadow-Lamp-8"
WINDOW = 15 * 60


def customer_login(api: Api, password: str) -> Reply:
    return api.call("POST", "/v1/auth/login", {"realm": "customer", "account": "demo",
                                               "email": "jane.doe@example.com", "password": password})


def change_password(api: Api, token: str, current: str, new: str = NEW_PASSWORD) -> Reply:
    return api.call("PUT", "/v1/me/password", {"current_password": current, "new_password": new}, token=token)


def assert_password_unchanged(api: Api, session: str) -> None:
    """The session still works, the old password still signs in and the new one does not."""
    assert api.call("GET", "/v1/me", token=session).status == 200
    assert customer_login(api, GOOD_PASSWORD).status == 200
    assert customer_login(api, NEW_PASSWORD).status == 401


@pytest.fixture
def clock(seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Failed guesses count in fixed windows: pin the clock inside one (a test moves it on by hand)."""
    now = [(time.time() // WINDOW) * WINDOW + WINDOW / 2]
    monkeypatch.setattr(seeded.self_service, "_clock", lambda: now[0])
    monkeypatch.setattr(seeded.logins, "_clock", lambda: now[0])
    return now


def test_a_customer_changes_and_removes_their_own_phone(api: Api) -> None:
    # Given a claimed customer without a phone
    owner = api.login(DEMO_OWNER)
    customer, session = api.claimed_customer(owner)
    before = api.customer(owner, customer["id"])

    # When they add a phone
    added = api.call("PATCH", "/v1/me", {"phone": " +44 20 7946 0000 "}, token=session)

    # Then they and the staff see it, and nothing else changed
    assert added.status == 200, added.body
    after = added.json()["customer"]
    assert after == {**before, "phone": "+44 20 7946 0000", "updated_at": after["updated_at"]}
    assert api.call("GET", "/v1/me", token=session).json()["customer"] == after
    assert api.customer(owner, customer["id"]) == after

    # And a null removes it again
    removed = api.call("PATCH", "/v1/me", {"phone": None}, token=session)
    assert removed.status == 200 and removed.json()["customer"]["phone"] is None
    assert api.customer(owner, customer["id"])["phone"] is None


@pytest.mark.parametrize("body", [
    {"first_name": "Janet"},
    {"last_name": "Smith"},
    {"email": "janet@example.com"},
    {"first_name": "Jane"},  # the value they have: naming the field is enough
    {"last_name": None},
    {"email": "jane.doe@example.com", "phone": "+1 555 0100"},  # beside a field they may change
])
def test_names_and_email_are_not_the_customer_s_to_change(api: Api, body: dict[str, Any]) -> None:
    # Given a claimed customer with a phone
    owner = api.login(DEMO_OWNER)
    customer, session = api.claimed_customer(owner)
    assert api.call("PATCH", "/v1/me", {"phone": "+1 555 0199"}, token=session).status == 200
    before = api.customer(owner, customer["id"])

    # When they name a name or the email in a change of their own
    reply = api.call("PATCH", "/v1/me", body, token=session)

    # Then it is refused and nothing changed, not even the phone beside it
    assert (reply.status, reply.code) == (403, "field_not_editable"), reply.body
    assert api.customer(owner, customer["id"]) == before


def test_staff_cannot_use_the_customer_s_own_routes(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    assert api.call("PATCH", "/v1/me", {"phone": "+1 555 0100"}, token=owner).status == 403
    assert change_password(api, owner, "Owner-Passw0rd!").status == 403


def test_changing_the_password_ends_every_older_session(api: Api) -> None:
    # Given a claimed customer with two sessions: the claim's and a later sign-in
    owner = api.login(DEMO_OWNER)
    _, claimed = api.claimed_customer(owner)
    signed_in = customer_login(api, GOOD_PASSWORD).json()["access_token"]

    # When they change their password in the second
    reply = change_password(api, signed_in, GOOD_PASSWORD)

    # Then the answer is a token response whose token works, and both older tokens are refused
    assert reply.status == 200, reply.body
    issued = reply.json()
    assert issued["token_type"] == "Bearer" and 0 < issued["expires_in"] <= 3600
    assert api.call("GET", "/v1/me", token=issued["access_token"]).status == 200
    for older in (claimed, signed_in):
        refused = api.call("GET", "/v1/me", token=older)
        assert (refused.status, refused.code) == (401, "unauthenticated")

    # And only the new password signs in
    old = customer_login(api, GOOD_PASSWORD)
    assert (old.status, old.code) == (401, "invalid_credentials")
    assert customer_login(api, NEW_PASSWORD).status == 200


def test_a_wrong_current_password_is_refused_and_changes_nothing(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    _, session = api.claimed_customer(owner)
    reply = change_password(api, session, "Wrong-Passw0rd-1")
    assert (reply.status, reply.code) == (403, "current_password_invalid")
    assert_password_unchanged(api, session)


@pytest.mark.parametrize(("new_password", "rule"), [
    ("Sh0rt!", "min_length"),
    ("alllowercaseletters", "character_classes"),
    ("Jane.Doe-Sunny-42", "contains_email"),
    ("Password1", "common_password"),
])
def test_a_new_password_breaking_the_policy_is_refused_and_changes_nothing(api: Api, new_password: str,
                                                                           rule: str) -> None:
    owner = api.login(DEMO_OWNER)
    _, session = api.claimed_customer(owner)
    reply = change_password(api, session, GOOD_PASSWORD, new_password)
    assert (reply.status, reply.code) == (422, "password_policy")
    assert rule in reply.json()["failed_rules"]
    assert api.call("GET", "/v1/me", token=session).status == 200
    assert customer_login(api, GOOD_PASSWORD).status == 200
    assert customer_login(api, new_password).status == 401


def test_five_wrong_current_passwords_block_even_the_right_one(api: Api, clock: list[float]) -> None:
    # Given five wrong current passwords in one window
    owner = api.login(DEMO_OWNER)
    _, session = api.claimed_customer(owner)
    for _ in range(5):
        reply = change_password(api, session, "Wrong-Passw0rd-1")
        assert (reply.status, reply.code) == (403, "current_password_invalid")

    # When the right one is given
    blocked = change_password(api, session, GOOD_PASSWORD)

    # Then it is refused with 429 and Retry-After until the window ends; signing in is blocked too
    assert (blocked.status, blocked.code) == (429, "too_many_attempts")
    assert 0 < int(blocked.headers["retry-after"]) <= WINDOW
    assert customer_login(api, GOOD_PASSWORD).status == 429

    # And nothing changed: once the window has passed, the old password is still the one
    clock[0] += WINDOW
    assert_password_unchanged(api, session)
