"""Signing in and the tokens it gives: nothing tells who exists, and doubtful tokens are 401s."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from handover.data.principals import CustomerRecord
from handover.identity.sessions import Sessions
from handover.runtime import Runtime, runtime

from tests.conftest import DEMO_OWNER, GOOD_PASSWORD, Api, last_link_token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize("credentials", [
    {"realm": "operator", "email": "operator@example.com", "password": "Operator-Passw0rd!"},
    {"realm": "operator", "email": "helpdesk@example.com", "password": "Helpdesk-Passw0rd!"},
    DEMO_OWNER,
    {"realm": "staff", "account": "DEMO", "email": "Owner@Demo.Example", "password": "Owner-Passw0rd!"},
])
def test_seeded_operators_and_staff_sign_in(api: Api, credentials: dict[str, str]) -> None:
    reply = api.call("POST", "/v1/auth/login", credentials)
    assert reply.status == 200
    assert reply.json()["token_type"] == "Bearer" and 0 < reply.json()["expires_in"] <= 3600


def test_staff_name_their_business_by_its_id_or_its_nickname(api: Api, seeded: Runtime) -> None:
    # Given the demo business
    account = seeded.directory.accounts.by_nickname("demo")
    assert account is not None
    # When its owner signs in naming it by its id, or by its nickname in another case, Then they get a token
    for reference in (account.id, "Demo"):
        assert api.call("POST", "/v1/auth/login", {**DEMO_OWNER, "account": reference}).status == 200, reference
    # And the directory finds it by either, spaces around them too (the sign-in page and a reset
    # request pass what was typed), and finds no business for a reference to none
    for reference in (account.id, f"  {account.id} ", " DEMO "):
        found = seeded.directory.accounts.find(reference)
        assert found is not None and found.id == account.id, reference
    assert seeded.directory.accounts.find("01ARZ3NDEKTSV4RRFFQ69G5FAV") is None
    assert seeded.directory.accounts.find("nowhere") is None


def test_unknown_email_and_wrong_password_look_the_same(api: Api) -> None:
    # When three kinds of wrong credentials are tried
    wrong_password = api.call("POST", "/v1/auth/login", {**DEMO_OWNER, "password": "Wrong-Passw0rd!"})
    unknown_email = api.call("POST", "/v1/auth/login", {**DEMO_OWNER, "email": "nobody@demo.example"})
    unknown_account = api.call("POST", "/v1/auth/login", {**DEMO_OWNER, "account": "nowhere"})
    wrong_realm = api.call("POST", "/v1/auth/login", {**DEMO_OWNER, "realm": "customer"})

    # Then all of them get the very same 401
    assert wrong_password.status == 401 and wrong_password.code == "invalid_credentials"
    assert wrong_password.body == unknown_email.body == unknown_account.body == wrong_realm.body


def test_an_unverified_customer_with_the_right_password_gets_no_token(api: Api, seeded: Runtime) -> None:
    # Given a customer whose password was set but whose email was never verified
    account = seeded.directory.accounts.by_nickname("demo")
    assert account is not None
    customer = CustomerRecord(id="01ARZ3NDEKTSV4RRFFQ69G5FAV", account_id=account.id, email="uv@example.com",
                              first_name="U", last_name="V", password_hash=seeded.passwords.hash(GOOD_PASSWORD),
                              status="active", created_at=0, updated_at=0)
    seeded.dynamo.transact(seeded.directory.principals.add(customer))

    reply = api.call("POST", "/v1/auth/login", {"realm": "customer", "account": "demo", "email": "uv@example.com",
                                                "password": GOOD_PASSWORD})
    assert (reply.status, reply.code) == (403, "not_verified")
    assert "access_token" not in reply.json()


@pytest.fixture
def customer_token(api: Api) -> str:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    reply = api.call("POST", "/v1/auth/claim", {"token": last_link_token(customer["email"]),
                                                "password": GOOD_PASSWORD})
    token: str = reply.json()["access_token"]
    return token


def _forge(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims.update(changes)
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def test_a_claimed_customer_signs_in_and_reads_me(api: Api, customer_token: str) -> None:
    login = api.call("POST", "/v1/auth/login", {"realm": "customer", "account": "demo",
                                                "email": "jane.doe@example.com", "password": GOOD_PASSWORD})
    assert login.status == 200
    for token in (customer_token, login.json()["access_token"]):
        me = api.call("GET", "/v1/me", token=token)
        assert me.status == 200 and me.json()["customer"]["email_verified"] is True


def test_a_cold_function_verifies_a_token_without_calling_kms(api: Api, customer_token: str) -> None:
    # Given a function's first request after a cold start, with TOKEN_PUBLIC_KEY in its environment
    runtime.cache_clear()
    sent: list[str] = []
    runtime().session.register("before-call", lambda model, **_: sent.append(model.service_model.service_name))
    # When a customer reads their profile
    me = api.call("GET", "/v1/me", token=customer_token)
    # Then the token was verified with the key the environment gave, and only DynamoDB was asked
    assert me.status == 200
    assert set(sent) == {"dynamodb"}


def test_doubtful_tokens_are_refused(api: Api, seeded: Runtime, customer_token: str) -> None:
    claims = json.loads(base64.urlsafe_b64decode(customer_token.split(".")[1] + "=="))
    settings = seeded.settings
    public_pem = seeded.signer.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)

    def issue_with(**overrides: object) -> str:
        sessions = Sessions(seeded.signer, issuer=str(overrides.pop("issuer", settings.token_issuer)),
                            audience=str(overrides.pop("audience", settings.token_audience)), lifetime=3600,
                            clock=overrides.pop("clock", time.time))  # type: ignore[arg-type]
        return sessions.issue(realm="customer", sub=claims["sub"], acct=claims["acct"], role="customer", perms=[],
                              ver=int(overrides.pop("ver", claims["ver"]))).access_token

    header = {"alg": "none", "typ": "JWT", "kid": seeded.signer.key_id}
    alg_none = f"{_b64(json.dumps(header).encode())}.{customer_token.split('.')[1]}."
    hs_header = _b64(json.dumps({**header, "alg": "HS256"}).encode())
    hs_input = f"{hs_header}.{customer_token.split('.')[1]}"
    hs256 = f"{hs_input}.{_b64(hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest())}"
    refused = {
        "alg none": alg_none,
        "HS256 signed with the public key": hs256,
        "tampered payload": _forge(customer_token, sub="01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        "wrong audience": issue_with(audience="someone-else"),
        "wrong issuer": issue_with(issuer="urn:elsewhere"),
        "expired": issue_with(clock=lambda: time.time() - 7200),
        "older version": issue_with(ver=claims["ver"] - 1),
        "not a JWT": "garbage",
    }

    # Then every one of them is a 401, while the genuine token still works
    assert api.call("GET", "/v1/me", token=customer_token).status == 200
    for name, token in refused.items():
        reply = api.call("GET", "/v1/me", token=token)
        assert (reply.status, reply.code) == (401, "unauthenticated"), name


def test_a_customer_token_cannot_use_staff_routes(api: Api, customer_token: str) -> None:
    reply = api.call("POST", "/v1/customers", {"email": "a@example.com", "first_name": "A", "last_name": "B"},
                     token=customer_token)
    assert (reply.status, reply.code) == (403, "forbidden")
    staff = api.call("GET", "/v1/me", token=api.login(DEMO_OWNER))
    assert staff.status == 403
