"""The hosted pages an emailed link opens (/claim, /reset), called as API Gateway would: their
headers, CSRF, the password form and its answers, and dead links."""

from __future__ import annotations

import re

import pytest
from handover.runtime import runtime

from tests.conftest import (
    DEMO_OWNER,
    GOOD_PASSWORD,
    Api,
    deliver_queued_work,
    failing,
    last_link_token,
    sent_emails,
)
from tests.integration.page_forms import PageClient, hidden, set_cookies, text_of

EMAIL = "jane.doe@example.com"


def invited(api: Api, email: str = EMAIL) -> str:
    """A customer of Demo Studio, invited: the link token of their email."""
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, email)
    assert api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202
    return last_link_token(email)


def link_works(api: Api, token: str) -> bool:
    return api.call("GET", f"/v1/auth/links/{token}").status == 200


def test_every_page_carries_strict_headers_and_no_inline_script_or_style(api: Api) -> None:
    # Given a live link and a browser
    token = invited(api)
    browser = PageClient(api)

    # When each page is opened
    for target in (f"/claim?token={token}", f"/reset?token={token}", "/claim?token=dead", "/forgot?account=demo",
                   "/login?account=demo", "/login"):
        reply = browser.get(target)

        # Then it has the strict headers and neither inline script nor inline style
        headers = reply.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp, target
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, target
        assert headers["strict-transport-security"].startswith("max-age="), target
        assert headers["referrer-policy"] == "no-referrer", target
        assert headers["cache-control"] == "no-store", target
        assert headers["x-content-type-options"] == "nosniff", target
        page = reply.body.decode()
        assert re.findall(r"<script[^>]*>", page) == ['<script src="/pages/pages.js" defer>'], target
        assert " style=" not in page and "<style" not in page and " on" + "click=" not in page, target


def test_opening_the_link_page_shows_the_form_and_never_spends_the_link(api: Api) -> None:
    # Given an invite link, opened three times (as a mail scanner, then the customer, would)
    token = invited(api)
    browser = PageClient(api)
    replies = [browser.get(f"/claim?token={token}") for _ in range(3)]

    # Then each time the page names the business, the masked email and every rule of the policy
    page = text_of(replies[-1])
    assert replies[-1].status == 200
    assert "Demo Studio" in page and "j***@example.com" in page and EMAIL not in page
    for rule in ("At least 8 characters", "No spaces", "At least 3 of", "Not a common password",
                 "Does not contain your email"):
        assert rule in page
    assert 'data-rules="[{&#34;name&#34;: &#34;min_length&#34;' in replies[-1].body.decode()

    # And the link still works
    assert link_works(api, token)


def test_a_weak_password_is_refused_rule_by_rule_and_the_link_survives(api: Api) -> None:
    # Given the claim page
    token = invited(api)
    browser = PageClient(api)
    browser.get(f"/claim?token={token}")

    # When a weak password is submitted
    reply = browser.post("/claim", {"token": token, "password": "jane.doe1"})

    # Then the page answers 422 listing each rule it breaks, keeps the form, and nobody is signed in
    assert reply.status == 422
    page = text_of(reply)
    assert "not accepted" in page and "At least 3 of" in page and "Does not contain your email" in page
    assert hidden(reply, "token") == token
    assert not any("session" in line for line in set_cookies(reply))
    assert link_works(api, token)


def test_a_good_password_claims_signs_in_and_lands_on_the_account_page(api: Api) -> None:
    # Given the claim page
    token = invited(api)
    browser = PageClient(api)
    browser.get(f"/claim?token={token}")

    # When a good password is submitted
    reply = browser.post("/claim", {"token": token, "password": GOOD_PASSWORD})

    # Then the browser is signed in by a Secure, HttpOnly, SameSite cookie for the account page only
    assert reply.status == 303 and reply.headers["location"] == "/account"
    session = next(line for line in set_cookies(reply) if line.startswith("__Secure-handover-session="))
    for attribute in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/account"):
        assert attribute in session
    # And the account page shows the customer; the link is spent
    account = browser.get("/account")
    assert account.status == 200 and EMAIL in text_of(account)
    assert not link_works(api, token)


def test_a_business_with_a_portal_gets_its_customer_after_the_claim(api: Api) -> None:
    # Given a business with a portal of its own (which the page's form-action allows)
    owner = api.login(DEMO_OWNER)
    assert api.call("PATCH", "/v1/settings", {"portal_url": "https://portal.demo.example"}, token=owner).status == 200
    token = invited(api)
    browser = PageClient(api)
    page = browser.get(f"/claim?token={token}")
    assert "form-action 'self' https://portal.demo.example;" in page.headers["content-security-policy"]

    # When the customer claims
    reply = browser.post("/claim", {"token": token, "password": GOOD_PASSWORD})

    # Then they are taken to the portal
    assert reply.status == 303 and reply.headers["location"] == "https://portal.demo.example"


@pytest.mark.parametrize(("csrf", "origin", "fetch_site"), [
    ("", "https://pages.example", "same-origin"),
    ("forged-token-" * 4, "https://pages.example", "same-origin"),
    (None, "https://evil.example", "cross-site"),
    (None, "https://evil.example", "same-origin"),
    (None, "null", "cross-site"),
    (None, "null", "same-site"),
], ids=["missing", "wrong", "foreign origin", "foreign origin alone", "cross-site fetch", "same-site fetch"])
def test_a_submission_without_its_csrf_proof_is_refused_and_spends_nothing(api: Api, csrf: str | None, origin: str,
                                                                          fetch_site: str) -> None:
    # Given the claim page, opened
    token = invited(api)
    browser = PageClient(api)
    browser.get(f"/claim?token={token}")

    # When the form comes back without the page's token, or from another site
    reply = browser.post("/claim", {"token": token, "password": GOOD_PASSWORD}, csrf=csrf, origin=origin,
                         fetch_site=fetch_site)

    # Then it is refused with a page, and the link still works
    assert reply.status == 403 and "This form has expired" in text_of(reply)
    assert link_works(api, token)


def test_a_same_origin_submission_with_a_null_origin_passes(api: Api) -> None:
    # Given the claim page (whose Referrer-Policy makes Chromium send `Origin: null` on its own form)
    token = invited(api)
    browser = PageClient(api)
    browser.get(f"/claim?token={token}")

    # When the form comes back with its token, from the same origin by Sec-Fetch-Site, Origin null
    reply = browser.post("/claim", {"token": token, "password": GOOD_PASSWORD}, origin="null")

    # Then it is accepted
    assert reply.status == 303


def test_a_used_link_shows_a_page_whose_button_emails_a_fresh_one(api: Api) -> None:
    # Given a link already used
    token = invited(api)
    browser = PageClient(api)
    browser.get(f"/claim?token={token}")
    assert browser.post("/claim", {"token": token, "password": GOOD_PASSWORD}).status == 303

    # When it is opened again
    dead = browser.get(f"/claim?token={token}")

    # Then the page says so and offers a fresh link, never a dead end
    assert dead.status == 410 and "This link no longer works" in text_of(dead)
    assert hidden(dead, "token") == token

    # And its button sends a reset link to that email, through forgot-password
    before = len(sent_emails())
    sent = browser.post("/fresh-link", {"token": token})
    assert sent.status == 200 and "Check your email" in text_of(sent)
    assert deliver_queued_work() >= 1
    assert [email["to"] for email in sent_emails()[before:]] == [EMAIL]
    assert last_link_token(EMAIL) != token


def test_a_replaced_link_is_dead_and_an_unknown_one_offers_no_button(api: Api) -> None:
    # Given a link replaced by a resend
    token = invited(api)
    owner = api.login(DEMO_OWNER)
    customer_id = api.call("GET", "/v1/customers", token=owner).json()["items"][0]["id"]
    assert api.call("POST", f"/v1/customers/{customer_id}/invite", {}, token=owner).status == 202
    browser = PageClient(api)

    # Then the old link's page is the dead-link page, and an unknown token's has no button
    assert browser.get(f"/claim?token={token}").status == 410
    unknown = browser.get("/reset?token=no-such-token")
    assert unknown.status == 410 and "/fresh-link" not in unknown.body.decode()


def test_a_failed_dependency_shows_a_friendly_page_and_spends_nothing(api: Api,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the claim page, and KMS down when the form comes back
    token = invited(api)
    browser = PageClient(api)
    browser.get(f"/claim?token={token}")

    # When a good password is submitted
    with monkeypatch.context() as patched:
        patched.setattr(runtime().signer._kms, "sign", failing("Sign"))
        reply = browser.post("/claim", {"token": token, "password": GOOD_PASSWORD})

    # Then the answer is an HTML page saying to try again (no problem+json), and the link survives
    assert reply.status == 503 and reply.headers["content-type"].startswith("text/html")
    assert "Please try again in a moment" in text_of(reply)
    assert link_works(api, token)


def test_the_page_wears_the_business_s_logo_and_colour(api: Api) -> None:
    # Given a business with a logo and a colour
    owner = api.login(DEMO_OWNER)
    assert api.call("PATCH", "/v1/settings", {"logo_url": "https://cdn.demo.example/logo.png",
                                               "brand_color": "#0A7C3E"}, token=owner).status == 200
    token = invited(api)

    # When its customer opens the claim page
    page = PageClient(api).get(f"/claim?token={token}").body.decode()

    # Then the page shows the logo and links the stylesheet of its colour, which sets it
    assert '<img class="logo" src="https://cdn.demo.example/logo.png" alt="">' in page
    assert '<link rel="stylesheet" href="/pages/brand.css?c=0a7c3e">' in page
    css = api.call("GET", "/pages/brand.css?c=0a7c3e")
    assert css.body == b":root { --brand: #0a7c3e; --on-brand: #ffffff; }\n"
    assert api.call("GET", "/pages/brand.css?c=red;}body{x").body.startswith(b":root { --brand: #2563eb;")
