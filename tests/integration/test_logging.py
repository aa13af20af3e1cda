"""Logs never carry a password, a link token or an access token."""

from __future__ import annotations

import io
import logging

import pytest

from tests.conftest import DEMO_OWNER, GOOD_PASSWORD, Api, last_link_token


def test_no_secret_reaches_the_logs(api: Api, capsys: pytest.CaptureFixture[str],
                                    caplog: pytest.LogCaptureFixture) -> None:
    # Given every log record captured: our own and Powertools' at DEBUG, the rest at INFO (botocore's
    # DEBUG output is a wire trace of every request, which no deployment turns on)
    caplog.set_level(logging.INFO)
    for name in ("handover", "aws_lambda_powertools"):
        caplog.set_level(logging.DEBUG, logger=name)

    # When the whole story runs, with a wrong password and a reused link on the way
    owner = api.login(DEMO_OWNER)
    api.call("POST", "/v1/auth/login", {**DEMO_OWNER, "password": "Wrong-Passw0rd-9"})
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    link = last_link_token(customer["email"])
    api.call("GET", f"/v1/auth/links/{link}")
    api.call("POST", "/v1/auth/claim", {"token": link, "password": "weak"})
    claimed = api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD})
    api.call("POST", "/v1/auth/claim", {"token": link, "password": GOOD_PASSWORD})
    customer_token = claimed.json()["access_token"]
    api.call("GET", "/v1/me", token=customer_token)

    # Then none of the secrets appears anywhere in what was logged
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    assert logged.strip(), "the handlers logged nothing at all, so this test would prove nothing"
    for secret in (DEMO_OWNER["password"], "Wrong-Passw0rd-9", GOOD_PASSWORD, link, owner, customer_token,
                   owner.split(".")[2], customer_token.split(".")[2]):
        assert secret not in logged
    assert "$argon2id$" not in logged


def test_the_hosted_pages_log_no_link_token_password_or_session(api: Api) -> None:
    # Given an invited customer, and from then on every record of our loggers and Powertools' also
    # written to one stream, at DEBUG (after Powertools' own handler, which must stay the first)
    from tests.integration.page_forms import PageClient

    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    link = last_link_token(customer["email"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger(name) for name in ("handover", "aws_lambda_powertools")]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.addHandler(handler)
        each.setLevel(logging.DEBUG)
    try:
        # When the customer opens the claim page, is refused a weak password, claims, and opens the account page
        browser = PageClient(api)
        browser.get(f"/claim?token={link}")
        browser.post("/claim", {"token": link, "password": "weak"})
        browser.post("/claim", {"token": link, "password": GOOD_PASSWORD})
        browser.get("/account")
    finally:
        for each, level in zip(loggers, levels, strict=True):
            each.removeHandler(handler)
            each.setLevel(level)
    session = browser.cookies["__Secure-handover-session"]

    # Then neither the link, the passwords, the session nor the CSRF token was logged
    logged = stream.getvalue()
    assert "Envelope detected" in logged, "the pages' requests were not logged at all, so this proves nothing"
    for secret in (link, "weak", GOOD_PASSWORD, session, session.split(".")[2],
                   browser.cookies["__Host-handover-csrf"]):
        assert secret not in logged
