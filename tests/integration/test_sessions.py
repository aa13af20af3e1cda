"""Sessions: refresh tokens that rotate, a spent one that ends its session, logout that signs out,
and every token version bump ending the sessions it outdates."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from handover.links.tokens import hash_token
from handover.runtime import runtime

from tests.conftest import DEMO_FRONTDESK, DEMO_OWNER, GOOD_PASSWORD, OPERATOR, Api, Reply, last_link_token

DAY = 24 * 3600
NEW_PASSWORD = "Quiet-Meadow-Lamp-8"


def sign_in(api: Api, credentials: dict[str, str]) -> dict[str, Any]:
    reply = api.call("POST", "/v1/auth/login", credentials)
    assert reply.status == 200, reply.body
    tokens: dict[str, Any] = reply.json()
    return tokens


def refresh(api: Api, refresh_token: str) -> Reply:
    return api.call("POST", "/v1/auth/refresh", {"refresh_token": refresh_token})


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return claims


def works(api: Api, access_token: str) -> int:
    """The status of an authenticated request with the token (the staff list: owners; /v1/me: customers)."""
    path = "/v1/me" if claims_of(access_token)["realm"] == "customer" else "/v1/staff"
    return api.call("GET", path, token=access_token).status


def test_a_login_answers_the_contract_s_token_response(api: Api) -> None:
    # When the owner logs in
    tokens = sign_in(api, DEMO_OWNER)

    # Then the answer carries an access token of a session, and an opaque refresh token
    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert tokens["token_type"] == "Bearer" and claims_of(tokens["access_token"])["sid"]
    # and the sessions table keys it by its hash, never holding the token
    item = runtime().dynamo.get(runtime().settings.sessions_table,
                                {"pk": f"REFRESH#{hash_token(tokens['refresh_token'])}"})
    assert item is not None and tokens["refresh_token"].split(".")[0] not in json.dumps(item)


def test_a_refresh_rotates_the_token_and_keeps_the_session(api: Api) -> None:
    # Given a customer's session
    owner = api.login(DEMO_OWNER)
    _, claim_token = api.claimed_customer(owner)
    first = sign_in(api, {"realm": "customer", "account": "demo", "email": "jane.doe@example.com",
                          "password": GOOD_PASSWORD})

    # When its refresh token is spent
    reply = refresh(api, first["refresh_token"])

    # Then new tokens of the same session come back, they work, and the spent token does not
    assert reply.status == 200, reply.body
    second = reply.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert claims_of(second["access_token"])["sid"] == claims_of(first["access_token"])["sid"]
    assert works(api, second["access_token"]) == 200
    third = refresh(api, second["refresh_token"])
    assert third.status == 200
    assert claims_of(claim_token)["sid"] != claims_of(first["access_token"])["sid"]  # the claim was a session too


@pytest.mark.parametrize("who_comes_back", ["thief", "owner"])
def test_a_spent_token_presented_again_ends_the_whole_session(api: Api, who_comes_back: str) -> None:
    # Given a session whose refresh token was stolen, and spent by one of the two
    stolen = sign_in(api, DEMO_OWNER)
    spent_by_first = refresh(api, stolen["refresh_token"]).json()

    # When the other presents the spent token
    reused = refresh(api, stolen["refresh_token"])

    # Then it is refused, and so is everything the first got: the session has ended
    assert (reused.status, reused.code) == (401, "refresh_invalid")
    assert refresh(api, spent_by_first["refresh_token"]).code == "refresh_invalid"
    assert works(api, spent_by_first["access_token"]) == 401
    # and the owner's other sessions go on
    assert works(api, sign_in(api, DEMO_OWNER)["access_token"]) == 200
    # and the reuse is in the business's history, once however often the token comes back
    assert refresh(api, stolen["refresh_token"]).code == "refresh_invalid"
    operator = api.login(OPERATOR)
    items = api.call("GET", f"/v1/operator/accounts/{api.account_id('demo')}/history", token=operator).json()["items"]
    reuses = [item for item in items if item["action"] == "session.refresh_reused"]
    assert len(reuses) == 1
    assert reuses[0]["details"]["session_id"] == claims_of(stolen["access_token"])["sid"]


@pytest.mark.parametrize("presented", ["", "x", "a.b", "not-a-token." + base64.urlsafe_b64encode(b"staff::x").decode(),
                                       "forged." + base64.urlsafe_b64encode(b"operator::someone").decode()])
def test_every_refresh_failure_is_the_same_401(api: Api, presented: str) -> None:
    reply = refresh(api, presented)
    if not presented:
        assert reply.status == 422  # the body is not valid
        return
    assert reply.status == 401
    assert reply.json() == {"type": "urn:handover:problem:refresh_invalid", "title": reply.json()["title"],
                            "status": 401, "detail": reply.json()["detail"], "code": "refresh_invalid"}
    assert reply.headers["content-type"] == "application/problem+json"


def test_logout_ends_that_session_at_once_and_only_that_one(api: Api) -> None:
    # Given two sessions of the owner
    this, other = sign_in(api, DEMO_OWNER), sign_in(api, DEMO_OWNER)

    # When the first logs out
    reply = api.call("POST", "/v1/auth/logout", {}, token=this["access_token"])

    # Then its access and refresh tokens are refused from the next request on; the other goes on
    assert reply.status == 204 and reply.body == b""
    assert works(api, this["access_token"]) == 401
    assert refresh(api, this["refresh_token"]).code == "refresh_invalid"
    assert works(api, other["access_token"]) == 200
    assert refresh(api, other["refresh_token"]).status == 200


def test_logout_everywhere_ends_every_session_of_the_caller(api: Api) -> None:
    # Given two sessions of a customer, and one of the owner
    owner = sign_in(api, DEMO_OWNER)
    api.claimed_customer(owner["access_token"])
    customer = {"realm": "customer", "account": "demo", "email": "jane.doe@example.com", "password": GOOD_PASSWORD}
    this, other = sign_in(api, customer), sign_in(api, customer)

    # When the customer logs out everywhere (with no body needed beyond the flag)
    assert api.call("POST", "/v1/auth/logout", {"everywhere": True}, token=this["access_token"]).status == 204

    # Then neither session works, and someone else's does
    for session in (this, other):
        assert works(api, session["access_token"]) == 401
        assert refresh(api, session["refresh_token"]).code == "refresh_invalid"
    assert works(api, owner["access_token"]) == 200
    # and signing in again starts afresh
    assert works(api, sign_in(api, customer)["access_token"]) == 200


def test_a_login_as_has_no_refresh_token_and_its_logout_is_in_history(api: Api) -> None:
    # Given an operator logged in as Demo's owner, and the owner's own session
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    owner = sign_in(api, DEMO_OWNER)
    reply = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"reason": "ticket 9"}, token=operator)
    assert reply.status == 200 and "refresh_token" not in reply.json()
    acting = reply.json()["access_token"]

    # When the operator ends the login-as, even asking for everywhere
    assert api.call("POST", "/v1/auth/logout", {"everywhere": True}, token=acting).status == 204

    # Then the login-as token is refused, the owner's session is not, and history has both identities
    assert works(api, acting) == 401
    assert works(api, owner["access_token"]) == 200
    item = api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"][0]
    assert item["action"] == "operator.login_as_ended"
    assert (item["actor"]["realm"], item["actor"]["email"]) == ("operator", "operator@example.com")
    assert (item["on_behalf_of"]["realm"], item["on_behalf_of"]["email"]) == ("staff", "owner@demo.example")


def _customer_session(api: Api) -> tuple[str, dict[str, Any], dict[str, Any]]:
    owner = api.login(DEMO_OWNER)
    customer, _ = api.claimed_customer(owner)
    return owner, customer, sign_in(api, {"realm": "customer", "account": "demo", "email": customer["email"],
                                          "password": GOOD_PASSWORD})


def _reset_by_link(api: Api, owner: str, customer: dict[str, Any]) -> None:
    assert api.call("POST", f"/v1/customers/{customer['id']}/password-reset", {}, token=owner).status == 202
    reset = api.call("POST", "/v1/auth/password/reset", {"token": last_link_token(customer["email"]),
                                                         "password": NEW_PASSWORD})
    assert reset.status == 200 and reset.json()["refresh_token"]


BUMPS: dict[str, tuple[Callable[[Api, str, dict[str, Any], dict[str, Any]], None], tuple[int, str]]] = {
    "reset link": (lambda api, owner, customer, _s: _reset_by_link(api, owner, customer), (401, "refresh_invalid")),
    "password set by staff": (lambda api, owner, customer, _s: _ok(api.call(
        "PUT", f"/v1/customers/{customer['id']}/password", {"password": NEW_PASSWORD}, token=owner)),
        (401, "refresh_invalid")),
    "password changed": (lambda api, _o, _c, session: _ok(api.call(
        "PUT", "/v1/me/password", {"current_password": GOOD_PASSWORD, "new_password": NEW_PASSWORD},
        token=session["access_token"])), (401, "refresh_invalid")),
    "lock": (lambda api, owner, customer, _s: _ok(api.call(
        "POST", f"/v1/customers/{customer['id']}/lock", {}, token=owner)), (423, "customer_locked")),
    "lock and unlock": (lambda api, owner, customer, _s: [_ok(api.call(
        "POST", f"/v1/customers/{customer['id']}/{action}", {}, token=owner)) for action in ("lock", "unlock")],
        (401, "refresh_invalid")),
}


def _ok(reply: Reply) -> None:
    assert reply.status < 300, reply.body


@pytest.mark.parametrize("bump", list(BUMPS))
def test_every_token_version_bump_ends_a_customer_s_sessions(api: Api, bump: str) -> None:
    # Given a customer's session
    owner, customer, session = _customer_session(api)
    change, (status, code) = BUMPS[bump]

    # When something bumps their token version
    change(api, owner, customer, session)

    # Then the session's refresh token no longer works
    reply = refresh(api, session["refresh_token"])
    assert (reply.status, reply.code) == (status, code)


def test_a_password_change_answers_a_new_session_that_refreshes(api: Api) -> None:
    _, _, session = _customer_session(api)
    changed = api.call("PUT", "/v1/me/password", {"current_password": GOOD_PASSWORD, "new_password": NEW_PASSWORD},
                       token=session["access_token"])
    assert changed.status == 200
    assert refresh(api, changed.json()["refresh_token"]).status == 200


@pytest.mark.parametrize("bump", ["business lock", "business lock and unlock", "staff removed"])
def test_a_business_lock_or_a_removal_ends_staff_sessions(api: Api, bump: str) -> None:
    # Given the front desk's session
    session = sign_in(api, DEMO_FRONTDESK)
    operator, owner = api.login(OPERATOR), api.login(DEMO_OWNER)
    account_id = api.account_id("demo")

    # When the business is locked (and unlocked), or the member removed
    if bump == "staff removed":
        member = claims_of(session["access_token"])["sub"]
        assert api.call("DELETE", f"/v1/staff/{member}", token=owner).status == 204
    else:
        assert api.call("POST", f"/v1/operator/accounts/{account_id}/lock", {}, token=operator).status == 200
        if bump.endswith("unlock"):
            assert api.call("POST", f"/v1/operator/accounts/{account_id}/unlock", {}, token=operator).status == 200

    # Then the refresh token is refused: 423 while the business is locked, else the one 401
    reply = refresh(api, session["refresh_token"])
    expected = (423, "account_locked") if bump == "business lock" else (401, "refresh_invalid")
    assert (reply.status, reply.code) == expected


def test_a_session_slides_30_days_and_ends_after_90(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a session signed in now
    book = runtime().session_book
    session = sign_in(api, DEMO_OWNER)
    start = claims_of(session["access_token"])["iat"]

    def at(days: float) -> None:
        monkeypatch.setattr(book, "_clock", lambda: start + days * DAY)

    # When it is refreshed every 29 days, the token kept for 31 days is dead
    at(29)
    kept = refresh(api, session["refresh_token"]).json()
    at(58)
    late = refresh(api, kept["refresh_token"]).json()
    at(58 + 31)
    assert refresh(api, late["refresh_token"]).code == "refresh_invalid"

    # Then, refreshed in time, a session still ends 90 days after its sign-in
    at(0)
    token = sign_in(api, DEMO_OWNER)["refresh_token"]
    for days in (29, 58, 87):
        at(days)
        reply = refresh(api, token)
        assert reply.status == 200, (days, reply.body)
        token = reply.json()["refresh_token"]
    at(90.01)
    assert refresh(api, token).code == "refresh_invalid"


def test_the_cleanup_removes_expired_session_items(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a session signed in 35 days ago and never refreshed (it expired 5 days ago), and a live one
    rt = runtime()
    now = rt.session_book._clock()
    monkeypatch.setattr(rt.session_book, "_clock", lambda: now - 35 * DAY)
    expired = sign_in(api, DEMO_OWNER)
    monkeypatch.setattr(rt.session_book, "_clock", lambda: now)
    live = sign_in(api, DEMO_OWNER)

    # When the daily cleanup runs
    report = rt.cleanup.run()

    # Then the expired one is gone, and the live one still refreshes
    assert report.sessions_removed == 1
    assert refresh(api, expired["refresh_token"]).code == "refresh_invalid"
    assert refresh(api, live["refresh_token"]).status == 200
