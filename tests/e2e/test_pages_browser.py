"""The hosted pages in a real browser (headless Chromium through Playwright) against the shared
dev server: claiming (a weak password refused, a good one signs in), an expired link ending in a
fresh email, login return_to allowed and refused, the claim form by keyboard alone, and the
account page's password change ending older sessions; every page scanned by axe-core and
photographed at 360 and 1280 px (test-artifacts/pages/)."""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from collections.abc import Iterator
from itertools import count
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from local.aws import REGION, STACK
from tests.e2e.browser import ARTIFACTS, launched, require_browser, screenshot, serious_violations
from tests.e2e.conftest import Http

pytestmark = pytest.mark.e2e
require_browser()

OWNER = {"realm": "staff", "account": "demo", "email": "owner@demo.example", "password": "Owner-Passw0rd!"}
GOOD = "Sunny-Harbour-42"
NEWER = "Quiet-Meadow-Lamp-8"
SHOP = "https://shop.example"
_numbers = count(1)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    with launched() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # Nothing leaves the machine: the shop that logins may return to is never reached (its host
    # resolves nowhere); the tests look at where the browser asked to go.
    context.route(f"{SHOP}/**", lambda route: route.abort())
    yield context.new_page()
    context.close()


def owner_token(server: Http) -> str:
    token: str = server.call("POST", "/v1/auth/login", OWNER).json()["access_token"]
    return token


def invited(server: Http) -> tuple[str, str]:
    """A new customer of Demo Studio with an invite: their email and the link in it."""
    email = f"page-{next(_numbers)}-{time.time_ns()}@example.com"
    reply = server.call("POST", "/v1/customers", {"email": email, "first_name": "Pat", "last_name": "Page",
                                                  "invite": True}, token=owner_token(server))
    assert reply.status == 201, reply.body
    return email, latest_link(server, email)


def latest_link(server: Http, email: str) -> str:
    emails = server.call("GET", f"/_local/outbox?to={quote(email)}").json()
    assert emails, f"no email to {email}"
    link: str = next(link for link in emails[0]["links"] if "token=" in link)
    return link


def claimed(server: Http, page: Any) -> str:
    """A customer who claimed through the page, signed in on `page`: their email."""
    email, link = invited(server)
    page.goto(link)
    page.fill("#password", GOOD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account")
    return email


def link_token(link: str) -> str:
    found = re.search(r"token=([A-Za-z0-9_-]+)", link)
    assert found
    return found.group(1)


def test_claim_refuses_a_weak_password_then_signs_in_with_a_good_one(dev_server: Http, page: Any) -> None:
    # Given the page of an invite link
    email, link = invited(dev_server)
    page.goto(link)

    # Then the token has left the address bar at once, and the business and masked email show
    assert "token=" not in page.url and page.url.endswith("/claim")
    assert "Demo Studio" in page.inner_text("header") and f"{email[0]}***@example.com" in page.inner_text("main")

    # When a weak password is typed, the rules it breaks are shown unmet and the submission is held back
    page.fill("#password", "pat")
    assert page.get_attribute('[data-rule="min_length"]', "class") == "rule"
    assert page.get_attribute('[data-rule="character_classes"]', "class") == "rule"
    page.click("button[type=submit]")
    assert page.is_visible("text=Your password does not meet every rule yet.")
    assert page.url.endswith("/claim")
    assert dev_server.call("GET", f"/v1/auth/links/{link_token(link)}").status == 200

    # When a good password is typed every rule the browser can check is met, and it is submitted
    page.fill("#password", GOOD)
    for rule in ("min_length", "max_length", "no_whitespace", "character_classes", "contains_email"):
        assert "met" in (page.get_attribute(f'[data-rule="{rule}"]', "class") or "").split(), rule
    page.click("button[type=submit]")

    # Then the customer is signed in, on the account page, by a Secure cookie Chromium sent back over
    # http://127.0.0.1 (a potentially trustworthy origin)
    page.wait_for_url("**/account")
    assert email in page.inner_text("main")
    session = next(cookie for cookie in page.context.cookies() if cookie["name"] == "__Secure-handover-session")
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Strict"


def test_an_expired_link_ends_with_a_fresh_email_in_the_outbox(dev_server: Http, page: Any) -> None:
    # Given an invite link whose expiry has passed (set in the dev server's DynamoDB)
    email, link = invited(dev_server)
    found = re.search(r"AWS \(moto\)\s+(\S+)", dev_server.banner)
    assert found, dev_server.banner
    dynamodb = boto3.client("dynamodb", endpoint_url=found.group(1), region_name=REGION,
                            aws_access_key_id="local", aws_secret_access_key="local")
    dynamodb.update_item(TableName=f"{STACK}-LinksTable",
                         Key={"token_hash": {"S": hashlib.sha256(link_token(link).encode()).hexdigest()}},
                         UpdateExpression="SET expires_at = :past", ExpressionAttributeValues={":past": {"N": "1"}})

    # When the customer opens it and presses the page's button
    page.goto(link)
    assert page.inner_text("h1") == "This link no longer works"
    page.click("text=Email me a fresh link")
    assert page.inner_text("h1") == "Check your email"

    # Then a fresh link reaches the outbox (the forgot-password queue is worked off a moment later)
    deadline = time.monotonic() + 30
    while latest_link(dev_server, email) == link and time.monotonic() < deadline:
        time.sleep(0.2)
    fresh = latest_link(dev_server, email)
    assert fresh != link and "/reset?token=" in fresh
    page.goto(fresh)
    assert page.inner_text("h1") == "Choose a new password"


def test_login_returns_to_an_allowed_origin_and_never_to_a_trick(dev_server: Http, page: Any) -> None:
    # Given a business allowing returns to its shop, and a customer of it
    owner = owner_token(dev_server)
    assert dev_server.call("PATCH", "/v1/settings", {"return_to_origins": [SHOP]}, token=owner).status == 200
    try:
        email = claimed(dev_server, page)

        def sign_in(return_to: str) -> str:
            """Where the browser went after signing in (the last page it asked for)."""
            page.goto(f"{dev_server.base_url}/login?account=demo&return_to={quote(return_to, safe='')}")
            page.fill("#email", email)
            page.fill("#password", GOOD)
            with page.expect_request(lambda request: request.is_navigation_request()
                                     and not request.url.endswith("/login")) as followed:
                page.click("button[type=submit]")
            # The shop's host resolves nowhere: there the browser ends on its error page.
            page.wait_for_url(lambda url: url.startswith("chrome-error:") or url.endswith("/account"))
            return str(followed.value.url)

        # Then an https URL on the shop is where the browser lands
        assert sign_in(f"{SHOP}/basket?step=2") == f"{SHOP}/basket?step=2"
        # And every trick lands on the account page instead
        for trick in ("//evil.example/", "\\\\evil.example", "https:evil.example", "https://shop.example@evil.example/",
                      "HtTpS://EVIL.example/", "https://shop.example%2F@evil.example", "https%3A%2F%2Fevil.example"):
            assert sign_in(trick) == f"{dev_server.base_url}/account", trick
    finally:
        dev_server.call("PATCH", "/v1/settings", {"return_to_origins": []}, token=owner)


def test_the_claim_form_can_be_completed_with_the_keyboard_alone(dev_server: Http, page: Any) -> None:
    # Given the claim page
    email, link = invited(dev_server)
    page.goto(link)

    def focused() -> str:
        return str(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))

    # When the customer tabs through it: skip link, password, show-password, submit
    page.keyboard.press("Tab")
    assert focused() == "Skip to content"
    page.keyboard.press("Tab")
    assert focused() == "password"
    page.keyboard.type(GOOD)
    page.keyboard.press("Tab")
    assert focused() == "Show password"
    page.keyboard.press("Space")
    assert page.get_attribute("#password", "type") == "text"
    page.keyboard.press("Tab")
    assert focused() == "Claim my account"
    page.keyboard.press("Enter")

    # Then the account is claimed and the customer signed in
    page.wait_for_url("**/account")
    assert email in page.inner_text("main")


def test_changing_the_password_on_the_account_page_ends_older_sessions(dev_server: Http, browser: Any,
                                                                       page: Any) -> None:
    # Given a customer signed in on two browsers
    email = claimed(dev_server, page)
    other = browser.new_context()
    try:
        elsewhere = other.new_page()
        elsewhere.goto(f"{dev_server.base_url}/login?account=demo")
        elsewhere.fill("#email", email)
        elsewhere.fill("#password", GOOD)
        elsewhere.click("button[type=submit]")
        elsewhere.wait_for_url("**/account")

        # When the first changes the password
        page.fill("#current_password", GOOD)
        page.fill("#new_password", NEWER)
        page.click("text=Change password >> nth=-1")
        page.wait_for_url("**/account?saved=password")  # loaded: is_visible does not wait
        assert page.is_visible("text=Your password is changed.")

        # Then the other browser is signed out, and this one still in
        elsewhere.goto(f"{dev_server.base_url}/account")
        assert "/login" in elsewhere.url
        page.goto(f"{dev_server.base_url}/account")
        assert page.url.endswith("/account")
    finally:
        other.close()


def test_every_page_passes_axe_and_is_photographed_at_360_and_1280(dev_server: Http, page: Any) -> None:
    # Given every page a customer can meet
    base = dev_server.base_url
    _, link = invited(dev_server)
    reset_email, _ = invited(dev_server)
    owner = owner_token(dev_server)
    reset_id = dev_server.call("GET", f"/v1/customers?q={quote(reset_email)}", token=owner).json()["items"][0]["id"]
    assert dev_server.call("POST", f"/v1/customers/{reset_id}/password-reset", {}, token=owner).status == 202
    pages = {"claim": link, "reset": latest_link(dev_server, reset_email),
             "dead-link": f"{base}/claim?token=no-such-token", "login": f"{base}/login?account=demo",
             "forgot": f"{base}/forgot?account=demo"}
    found: dict[str, list[str]] = {}
    for name, url in pages.items():
        page.goto(url)
        screenshot(page, name)
        found[name] = serious_violations(page)
    page.goto(f"{base}/forgot?account=demo")
    page.fill("#email", "nobody@example.com")
    page.click("button[type=submit]")
    screenshot(page, "sent")
    found["sent"] = serious_violations(page)
    page.goto(link)
    page.fill("#password", GOOD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account")
    screenshot(page, "account")
    found["account"] = serious_violations(page)

    # Then none has a serious or critical accessibility violation
    assert found == {name: [] for name in found}
    assert len(list(ARTIFACTS.glob("*.png"))) == 2 * len(found)
