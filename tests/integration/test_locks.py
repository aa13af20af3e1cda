"""Locks: customers by staff, businesses by operators; live sessions die at once."""

from __future__ import annotations

from tests.conftest import (
    DEMO_FRONTDESK,
    DEMO_OWNER,
    GOOD_PASSWORD,
    OPERATOR,
    Api,
    last_link_token,
)

CUSTOMER_LOGIN = {"realm": "customer", "account": "demo", "email": "jane.doe@example.com", "password": GOOD_PASSWORD}


def test_a_locked_customer_cannot_sign_in_and_their_sessions_and_links_die(api: Api) -> None:
    # Given a claimed customer with a session, and an outstanding reset link
    owner = api.login(DEMO_OWNER)
    customer, session = api.claimed_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/password-reset", {}, token=owner)
    link = last_link_token(customer["email"])

    # When staff lock them
    locked = api.call("POST", f"/v1/customers/{customer['id']}/lock", {"reason": "chargeback"}, token=owner)

    # Then the session is refused, sign-in is 423, the link is dead (423 while locked)
    assert locked.status == 200 and locked.json()["customer"]["status"] == "locked"
    assert api.call("GET", "/v1/me", token=session).status == 401
    login = api.call("POST", "/v1/auth/login", CUSTOMER_LOGIN)
    assert (login.status, login.code) == (423, "customer_locked")
    reset = api.call("POST", "/v1/auth/password/reset", {"token": link, "password": "Another-Good-Pass-9"})
    assert (reset.status, reset.code) == (423, "customer_locked")
    assert api.call("GET", f"/v1/auth/links/{link}").status == 410
    invite = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    assert (invite.status, invite.code) == (423, "customer_locked")


def test_an_invited_customer_locked_cannot_claim(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    link = last_link_token(customer["email"])
    api.call("POST", f"/v1/customers/{customer['id']}/lock", {}, token=owner)
    claim = api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD})
    assert (claim.status, claim.code) == (423, "customer_locked")


def test_tokens_from_before_a_lock_stay_dead_after_the_unlock(api: Api) -> None:
    # Given a session, then a lock and an unlock
    owner = api.login(DEMO_OWNER)
    customer, session = api.claimed_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/lock", {}, token=owner)
    unlocked = api.call("POST", f"/v1/customers/{customer['id']}/unlock", {}, token=owner)

    # Then the customer is active again and can sign in, but the old session stays dead
    assert unlocked.json()["customer"]["status"] == "active"
    assert api.call("GET", "/v1/me", token=session).status == 401
    fresh = api.call("POST", "/v1/auth/login", CUSTOMER_LOGIN)
    assert fresh.status == 200
    assert api.call("GET", "/v1/me", token=fresh.json()["access_token"]).status == 200


def test_read_only_staff_cannot_lock(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    reply = api.call("POST", f"/v1/customers/{customer['id']}/lock", {}, token=api.login(DEMO_FRONTDESK))
    assert reply.status == 403


def test_locking_a_business_stops_its_staff_but_not_its_customers(api: Api) -> None:
    # Given the owner's and a customer's sessions, and an operator's login-as token
    owner = api.login(DEMO_OWNER)
    customer, customer_session = api.claimed_customer(owner)
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    impersonation = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {}, token=operator)
    impersonated = impersonation.json()["access_token"]

    # When an operator locks the business
    locked = api.call("POST", f"/v1/operator/accounts/{account_id}/lock", {"reason": "unpaid"}, token=operator)
    assert locked.status == 200 and locked.json()["account"]["locked"] is True

    # Then staff tokens (the impersonation one too) are refused, staff logins and login-as answer 423
    assert api.call("GET", f"/v1/customers/{customer['id']}", token=owner).status == 401
    assert api.call("GET", f"/v1/customers/{customer['id']}", token=impersonated).status == 401
    for credentials in (DEMO_OWNER, DEMO_FRONTDESK):
        reply = api.call("POST", "/v1/auth/login", credentials)
        assert (reply.status, reply.code) == (423, "account_locked")
    again = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {}, token=operator)
    assert (again.status, again.code) == (423, "account_locked")
    # and the customers carry on
    assert api.call("GET", "/v1/me", token=customer_session).status == 200

    # When it is unlocked, the staff sign in again, but the tokens from before stay dead
    assert api.call("POST", f"/v1/operator/accounts/{account_id}/unlock", {}, token=operator).status == 200
    assert api.call("GET", f"/v1/customers/{customer['id']}", token=owner).status == 401
    fresh = api.login(DEMO_OWNER)
    assert api.call("GET", f"/v1/customers/{customer['id']}", token=fresh).status == 200


def test_operator_lock_actions_are_in_the_history(api: Api) -> None:
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    api.call("POST", f"/v1/operator/accounts/{account_id}/lock", {"reason": "unpaid"}, token=operator)
    api.call("POST", f"/v1/operator/accounts/{account_id}/unlock", {}, token=operator)
    items = api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"]
    assert [item["action"] for item in items[:2]] == ["account.unlocked", "account.locked"]
    assert items[1]["actor"] == {"realm": "operator", "id": items[1]["actor"]["id"], "email": "operator@example.com"}
    assert items[1]["details"] == {"reason": "unpaid"}


def test_staff_and_customers_cannot_use_operator_routes(api: Api) -> None:
    account_id = api.account_id("demo")
    owner = api.login(DEMO_OWNER)
    for method, path in (("POST", "lock"), ("POST", "login-as"), ("GET", "history"),
                         ("POST", "owner/password-reset")):
        reply = api.call(method, f"/v1/operator/accounts/{account_id}/{path}", token=owner)
        assert (reply.status, reply.code) == (403, "forbidden"), path


def test_a_business_lock_retires_its_staff_s_outstanding_links(api: Api) -> None:
    # Given a reset link sent to Demo's owner
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    assert api.call("POST", f"/v1/operator/accounts/{account_id}/owner/password-reset", token=operator).status == 202
    link = last_link_token("owner@demo.example")

    # When the business is locked: the link is refused with 423; once unlocked, it is dead
    api.call("POST", f"/v1/operator/accounts/{account_id}/lock", {}, token=operator)
    during = api.call("POST", "/v1/auth/password/reset", {"token": link, "password": "Quiet-Meadow-Lamp-8"})
    assert (during.status, during.code) == (423, "account_locked")
    api.call("POST", f"/v1/operator/accounts/{account_id}/unlock", {}, token=operator)
    after = api.call("POST", "/v1/auth/password/reset", {"token": link, "password": "Quiet-Meadow-Lamp-8"})
    assert (after.status, after.code) == (410, "link_invalid")
    assert api.call("POST", "/v1/auth/login", DEMO_OWNER).status == 200
