"""Login-as: time-boxed, marked in the token, recorded with both identities."""

from __future__ import annotations

import base64
import json

from tests.conftest import DEMO_OWNER, OPERATOR, Api


def claims_of(token: str) -> dict[str, object]:
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return claims


def test_login_as_gives_a_short_token_marked_with_the_operator(api: Api) -> None:
    # When the secure operator logs in as Demo Studio's owner, with a reason
    operator = api.login(OPERATOR)
    operator_id = claims_of(operator)["sub"]
    account_id = api.account_id("demo")
    reply = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"reason": "ticket 4711"},
                     token=operator)

    # Then the token is the owner's, carries act, and lives 15 minutes at most
    assert reply.status == 200
    token = reply.json()["access_token"]
    claims = claims_of(token)
    assert claims["realm"] == "staff" and claims["role"] == "owner" and claims["acct"] == account_id
    assert claims["act"] == {"sub": operator_id, "realm": "operator"}
    assert reply.json()["expires_in"] <= 900
    assert int(claims["exp"]) - int(claims["iat"]) <= 900  # type: ignore[call-overload]


def test_an_impersonation_token_works_is_recorded_and_cannot_set_a_password(api: Api) -> None:
    # Given a login-as token for the owner
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    token = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"reason": "ticket 4711"},
                     token=operator).json()["access_token"]

    # When it creates and locks a customer, and tries to set a password
    customer = api.create_customer(token, "imp@example.com")
    assert api.call("POST", f"/v1/customers/{customer['id']}/lock", {}, token=token).status == 200
    refused = api.call("PUT", f"/v1/customers/{customer['id']}/password", {"password": "Quiet-Meadow-Lamp-8"},
                       token=token)

    # Then setting the password is forbidden, and history shows both identities, newest first
    assert (refused.status, refused.code) == (403, "impersonation_forbidden")
    items = api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"]
    assert [item["action"] for item in items] == ["customer.locked", "customer.created", "operator.login_as"]
    for item in items[:2]:
        assert item["actor"]["realm"] == "operator" and item["actor"]["email"] == "operator@example.com"
        assert item["on_behalf_of"]["realm"] == "staff" and item["on_behalf_of"]["email"] == "owner@demo.example"
        assert item["target"] == {"type": "customer", "id": customer["id"]}
    assert items[2]["details"]["reason"] == "ticket 4711" and items[2].get("on_behalf_of") is None
    # staff acting for themselves leave no operator history
    api.create_customer(api.login(DEMO_OWNER), "self@example.com")
    again = api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"]
    assert len(again) == 3


def test_login_as_a_named_staff_member(api: Api, seeded: object) -> None:
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    from handover.runtime import runtime

    frontdesk, _ = runtime().directory.principals.login_candidates("staff", account_id, "frontdesk@demo.example")
    assert frontdesk is not None
    reply = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"staff_id": frontdesk.id},
                     token=operator)
    assert reply.status == 200
    assert claims_of(reply.json()["access_token"])["perms"] == ["customers:read"]
    unknown = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"staff_id": "nobody"},
                       token=operator)
    assert unknown.status == 404


def test_history_pages_with_a_cursor(api: Api) -> None:
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    for _ in range(3):
        api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {}, token=operator)
    first = api.call("GET", f"/v1/operator/accounts/{account_id}/history?limit=2", token=operator).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = api.call("GET", f"/v1/operator/accounts/{account_id}/history?limit=2&cursor={first['next_cursor']}",
                      token=operator).json()
    assert len(second["items"]) == 1
    every = first["items"] + second["items"]
    assert [item["action"] for item in every] == ["operator.login_as"] * 3
    assert [item["at"] for item in every] == sorted((item["at"] for item in every), reverse=True)
    bad = api.call("GET", f"/v1/operator/accounts/{account_id}/history?cursor=not-a-cursor", token=operator)
    assert (bad.status, bad.code) == (422, "cursor_invalid")
    other = api.call("GET", f"/v1/operator/accounts/{api.account_id('clinic')}/history?cursor={first['next_cursor']}",
                     token=operator)
    assert (other.status, other.code) == (422, "cursor_invalid")
