"""Dependencies failing: a clear 503 with a stable code, nothing half-done, and a retry that
works; bad input: a clear 4xx, never a 5xx, nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, GOOD_PASSWORD, Api, failing, last_link_token, sent_emails


@pytest.mark.parametrize("route", ["invite", "password-reset"])
def test_ses_failing_is_a_503_and_a_retry_with_the_same_key_sends_one_email(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch, route: str) -> None:
    # Given SES failing once
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    ses = seeded.mailer._ses
    real_send = ses.send_email
    monkeypatch.setattr(ses, "send_email", failing("SendEmail"))
    path = f"/v1/customers/{customer['id']}/{route}"

    # When staff send the link, then retry with the same Idempotency-Key once SES is back
    failed = api.call("POST", path, {}, token=owner, headers={"idempotency-key": "retry-1"})
    monkeypatch.setattr(ses, "send_email", real_send)
    retried = api.call("POST", path, {}, token=owner, headers={"idempotency-key": "retry-1"})
    repeated = api.call("POST", path, {}, token=owner, headers={"idempotency-key": "retry-1"})

    # Then the failure is a 503 with a stable code and no AWS text, the retry succeeds once,
    # and exactly one email went out, whose link works
    assert (failed.status, failed.code) == (503, "email_unavailable")
    assert "down" not in failed.body.decode()
    assert retried.status == 202 and repeated.json() == retried.json()
    assert [email["to"] for email in sent_emails()] == [customer["email"]]
    assert api.call("GET", f"/v1/auth/links/{last_link_token(customer['email'])}").status == 200


def test_kms_failing_during_a_claim_is_a_503_and_consumes_nothing(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an invited customer and KMS failing
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    link = last_link_token(customer["email"])
    kms = seeded.signer._kms
    real_sign = kms.sign
    monkeypatch.setattr(kms, "sign", failing("Sign"))

    # When the customer claims, and signs in
    claim = api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD})
    login = api.call("POST", "/v1/auth/login", DEMO_OWNER)

    # Then both are 503 signing_unavailable, and the link still works once KMS is back
    assert (claim.status, claim.code) == (503, "signing_unavailable")
    assert (login.status, login.code) == (503, "signing_unavailable")
    monkeypatch.setattr(kms, "sign", real_sign)
    assert api.call("GET", f"/v1/auth/links/{link}").status == 200
    assert api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD}).status == 200


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_kwargs: Any) -> Any:
        yield self._data

    def read(self, *_args: Any) -> bytes:
        return self._data


def _throttle(seeded: Runtime, operation: str, times: int) -> list[str]:
    """Make DynamoDB answer `operation` with ThrottlingException `times` times (before moto sees it)."""
    attempts: list[str] = []

    def throttled(request: Any, **_kwargs: Any) -> AWSResponse | None:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if not target.endswith(f".{operation}") or len(attempts) >= times:
            return None
        attempts.append(operation)
        body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                           "message": "Rate of requests exceeds the allowed throughput."}).encode()
        return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, _Body(body))

    seeded.dynamo._client.meta.events.register_first("before-send.dynamodb", throttled)
    return attempts


def test_dynamodb_throttling_is_retried_by_the_sdk(api: Api, seeded: Runtime) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    attempts = _throttle(seeded, "GetItem", times=2)

    reply = api.call("GET", f"/v1/customers/{customer['id']}", token=owner)

    assert reply.status == 200
    assert attempts == ["GetItem", "GetItem"]


def test_dynamodb_throttling_that_persists_is_a_503(api: Api, seeded: Runtime) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    attempts = _throttle(seeded, "GetItem", times=100)

    reply = api.call("GET", f"/v1/customers/{customer['id']}", token=owner)

    assert (reply.status, reply.code) == (503, "storage_unavailable")
    assert len(attempts) == 4  # the first try and the SDK's three retries
    assert "Rate of requests" not in reply.body.decode()


@pytest.mark.parametrize("path", ["/v1/auth/claim", "/v1/auth/login", "/v1/auth/password/reset"])
def test_a_one_megabyte_password_is_refused_before_anything_reads_it(api: Api, path: str) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    link = last_link_token(customer["email"])
    body = {"realm": "staff", "account": "demo", "email": "owner@demo.example"} if path.endswith("login") else {
        "token": link}

    reply = api.call("POST", path, {**body, "password": "P@ssw0rd" * 131072})

    assert (reply.status, reply.code) == (413, "payload_too_large")
    assert api.call("GET", f"/v1/auth/links/{link}").status == 200


@pytest.mark.parametrize("name", ["Ann\r\nBcc: victim@example.com", "Ann\x00", "Ann\u2028Lee", "Ann\x1b[31m"])
def test_control_characters_and_line_breaks_in_names_are_refused(api: Api, name: str) -> None:
    reply = api.call("POST", "/v1/customers", {"email": "ann@example.com", "first_name": name, "last_name": "L"},
                     token=api.login(DEMO_OWNER))
    assert (reply.status, reply.code) == (422, "validation_error")


def test_a_password_with_unicode_and_white_space_gets_a_policy_answer_not_an_error(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    reply = api.call("POST", "/v1/auth/claim", {"token": last_link_token(customer["email"]),
                                                "password": "Pässwörd mit Leerzeichen 🔑"})
    assert (reply.status, reply.code) == (422, "password_policy")
