"""Sessions over HTTP against the dev server, where moto's server decides the conditional writes."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.e2e.conftest import Http
from tests.e2e.test_races import all_at_once

pytestmark = pytest.mark.e2e

FRONTDESK = {"realm": "staff", "account": "demo", "email": "frontdesk@demo.example", "password": "Frontdesk-Passw0rd!"}


def test_a_session_from_sign_in_to_sign_out(dev_server: Http) -> None:
    # Given the front desk signed in
    signed_in = dev_server.call("POST", "/v1/auth/login", FRONTDESK).json()

    # When the refresh token is spent, the new access token used, and the session logged out
    refreshed = dev_server.call("POST", "/v1/auth/refresh", {"refresh_token": signed_in["refresh_token"]})
    assert refreshed.status == 200, refreshed.body
    access = refreshed.json()["access_token"]
    assert dev_server.call("GET", "/v1/customers", token=access).status == 200
    assert dev_server.call("POST", "/v1/auth/logout", {}, token=access).status == 204

    # Then the very next request with its access token is 401, and so is its refresh token
    after = dev_server.call("GET", "/v1/customers", token=access)
    assert after.status == 401 and after.headers["content-type"] == "application/problem+json"
    again = dev_server.call("POST", "/v1/auth/refresh", {"refresh_token": refreshed.json()["refresh_token"]})
    assert (again.status, again.json()["code"]) == (401, "refresh_invalid")


def test_twenty_parallel_refreshes_of_one_token_one_wins_and_the_session_ends(dev_server: Http) -> None:
    # Given a session
    token = dev_server.call("POST", "/v1/auth/login", FRONTDESK).json()["refresh_token"]

    # When twenty refreshes present its refresh token at once
    replies = all_at_once(20, lambda _: dev_server.call("POST", "/v1/auth/refresh", {"refresh_token": token}))

    # Then exactly one gets new tokens; the others presented a spent token, which ended the session
    assert Counter(reply.status for reply in replies) == {200: 1, 401: 19}, [reply.body for reply in replies]
    assert {reply.json()["code"] for reply in replies if reply.status == 401} == {"refresh_invalid"}
    winner = next(reply.json() for reply in replies if reply.status == 200)
    assert dev_server.call("POST", "/v1/auth/refresh", {"refresh_token": winner["refresh_token"]}).status == 401
    assert dev_server.call("GET", "/v1/customers", token=winner["access_token"]).status == 401
