"""The hosted login, forgot-password and account pages, called as API Gateway would."""

from __future__ import annotations

from urllib.parse import quote

from tests.conftest import DEMO_OWNER, GOOD_PASSWORD, Api, deliver_queued_work, last_link_token, sent_emails
from tests.integration.page_forms import PageClient, hidden, text_of
from tests.unit.test_return_to import REFUSED

EMAIL = "jane.doe@example.com"
NEW_PASSWORD = "Quiet-Meadow-Lamp-8"


def signed_in(api: Api, return_to: str = "") -> tuple[PageClient, str]:
    """A browser that signed in through /login; and where the login sent it."""
    browser = PageClient(api)
    query = "account=demo" + (f"&return_to={quote(return_to, safe='')}" if return_to else "")
    browser.get(f"/login?{query}")
    reply = browser.post("/login", {"account": "demo", "email": EMAIL, "password": GOOD_PASSWORD,
                                    "return_to": return_to})
    assert reply.status == 303, reply.body
    return browser, reply.headers["location"]


def test_login_returns_only_to_an_allowed_origin_whatever_the_trick(api: Api) -> None:
    # Given a business that allows logins to return to its shop, and has a portal
    owner = api.login(DEMO_OWNER)
    assert api.call("PATCH", "/v1/settings", {"return_to_origins": ["https://shop.example"],
                                               "portal_url": "https://portal.demo.example"}, token=owner).status == 200
    api.claimed_customer(owner)

    # When the customer signs in with a return_to on the shop
    browser, location = signed_in(api, "https://shop.example/basket")

    # Then they go back there, and the login page's CSP let its form go there
    assert location == "https://shop.example/basket"
    page = browser.get("/login?account=demo&return_to=https://shop.example/basket")
    assert "form-action 'self' https://shop.example;" in page.headers["content-security-policy"]

    # And with any trick instead, they go to the portal (and the page never carries the trick)
    for _name, trick in REFUSED:
        page = browser.get(f"/login?account=demo&return_to={quote(trick, safe='')}")
        assert 'name="return_to"' not in page.body.decode(), trick
        reply = browser.post("/login", {"account": "demo", "email": EMAIL, "password": GOOD_PASSWORD,
                                        "return_to": trick})
        assert reply.status == 303 and reply.headers["location"] == "https://portal.demo.example", trick


def test_a_wrong_password_shows_the_form_again_without_saying_which_was_wrong(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner)
    browser = PageClient(api)
    browser.get("/login?account=demo")

    wrong = browser.post("/login", {"account": "demo", "email": EMAIL, "password": "Not-The-Passw0rd"})
    unknown = browser.post("/login", {"account": "demo", "email": "nobody@example.com", "password": "Not-The-Passw0rd"})

    assert wrong.status == unknown.status == 401
    assert "The email or password is not right." in text_of(wrong) and "not right" in text_of(unknown)
    assert browser.get("/account").status == 303


def test_forgot_answers_the_same_page_for_every_email_and_mails_only_a_customer(api: Api) -> None:
    # Given a claimed customer
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner)
    browser = PageClient(api)
    assert "Forgot your password?" in text_of(browser.get("/forgot?account=demo"))
    before = len(sent_emails())

    # When a known and an unknown email ask for a link
    known = browser.post("/forgot", {"account": "demo", "email": EMAIL})
    unknown = browser.post("/forgot", {"account": "demo", "email": "nobody@example.com"})
    deliver_queued_work()

    # Then both pages are the same but for the masked address, and only the customer gets an email
    assert known.status == unknown.status == 200
    assert text_of(known).replace("j***", "?") == text_of(unknown).replace("n***", "?")
    assert [email["to"] for email in sent_emails()[before:]] == [EMAIL]


def test_the_account_page_edits_the_phone_and_lists_bookings(api: Api) -> None:
    # Given a signed-in customer without a portal
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner)
    browser, location = signed_in(api)
    assert location == "/account"

    # When they save a phone number
    browser.get("/account")
    saved = browser.post("/account", {"phone": "+44 20 7946 0000"})

    # Then the page says so and shows it; names and email are shown, not editable
    assert saved.status == 303
    page = browser.get(saved.headers["location"])
    assert "Your profile is saved." in text_of(page) and 'value="+44 20 7946 0000"' in page.body.decode()
    assert 'name="email"' not in page.body.decode() and "No bookings yet." in text_of(page)


def test_changing_the_password_on_the_account_page_ends_every_other_session(api: Api) -> None:
    # Given a customer signed in on two browsers, and an API token
    owner = api.login(DEMO_OWNER)
    _customer, api_token = api.claimed_customer(owner)
    first, _ = signed_in(api)
    second, _ = signed_in(api)

    # When a weak new password is tried, then a good one
    first.get("/account")
    weak = first.post("/account/password", {"current_password": GOOD_PASSWORD, "new_password": "short"})
    assert weak.status == 422 and "New password: At least 8 characters" in text_of(weak)
    changed = first.post("/account/password", {"current_password": GOOD_PASSWORD, "new_password": NEW_PASSWORD})

    # Then this browser stays signed in, the other browser and the API token are signed out
    assert changed.status == 303
    assert first.get("/account").status == 200
    assert second.get("/account").status == 303
    assert api.call("GET", "/v1/me", token=api_token).status == 401


def test_sign_out_ends_the_page_session(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner)
    browser, _ = signed_in(api)
    page = browser.get("/account")

    session = browser.cookies["__Secure-handover-session"]

    reply = browser.post("/account/sign-out", {"csrf": hidden(page, "csrf")})

    # The browser forgets the session, and the service ends it: its access token is refused from then on
    assert reply.status == 303 and reply.headers["location"] == "/login?account=demo"
    assert browser.get("/account").status == 303
    assert api.call("GET", "/v1/me", token=session).status == 401


def test_the_account_page_edits_only_the_custom_fields_customers_may_edit(api: Api) -> None:
    # Given a business with a field customers may edit and one they may not, and a signed-in customer
    owner = api.login(DEMO_OWNER)
    assert api.call("PUT", "/v1/settings/custom-fields", {"fields": [
        {"key": "newsletter", "label": "Newsletter", "type": "boolean", "required": False, "customer_editable": True},
        {"key": "visits", "label": "Visits", "type": "number", "required": False, "customer_editable": True},
        {"key": "tier", "label": "Tier", "type": "string", "required": False, "customer_editable": False},
    ]}, token=owner).status == 200
    _customer, api_token = api.claimed_customer(owner, custom_fields={"tier": "gold"})
    browser, _ = signed_in(api)
    page = browser.get("/account").body.decode()
    assert 'name="field_newsletter" type="checkbox"' in page and 'name="field_visits"' in page
    assert 'value="gold" readonly' in page

    # When they tick the newsletter, give a number, and try to change the tier through a forged field
    saved = browser.post("/account", {"phone": "", "field_newsletter": "on", "field_visits": "3",
                                      "field_tier": "platinum"})

    # Then the editable fields are saved, as numbers and booleans, and the tier is unchanged
    assert saved.status == 303
    assert api.call("GET", "/v1/me", token=api_token).json()["customer"]["custom_fields"] == {
        "newsletter": True, "visits": 3, "tier": "gold"}

    # And a value of the wrong type is refused on the page, naming the field
    refused = browser.post("/account", {"field_visits": "many"})
    assert refused.status == 422 and "visits" in text_of(refused)


def test_a_reset_through_the_pages_signs_in_with_the_new_password_only(api: Api) -> None:
    # Given a claimed customer who asked for a reset link on the forgot page
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner)
    browser = PageClient(api)
    browser.get("/forgot?account=demo")
    browser.post("/forgot", {"account": "demo", "email": EMAIL})
    deliver_queued_work()
    link = last_link_token(EMAIL)

    # When they open it and choose a new password
    page = browser.get(f"/reset?token={link}")
    assert page.status == 200 and "Choose a new password" in text_of(page)
    reply = browser.post("/reset", {"token": link, "password": NEW_PASSWORD})

    # Then they are signed in, and only the new password signs in from then on
    assert reply.status == 303 and reply.headers["location"] == "/account"
    assert browser.get("/account").status == 200
    assert api.call("POST", "/v1/auth/login", {"realm": "customer", "account": "demo", "email": EMAIL,
                                               "password": GOOD_PASSWORD}).status == 401
    assert api.call("POST", "/v1/auth/login", {"realm": "customer", "account": "demo", "email": EMAIL,
                                               "password": NEW_PASSWORD}).status == 200


def test_the_json_api_never_takes_the_page_session_cookie(api: Api) -> None:
    # Given a browser signed in through the pages
    owner = api.login(DEMO_OWNER)
    api.claimed_customer(owner)
    browser, _ = signed_in(api)

    # When its cookie, and nothing else, is sent to the API
    cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    reply = api.call("GET", "/v1/me", headers={"cookie": cookie})

    # Then the API asks for a bearer token
    assert reply.status == 401


def test_too_many_forgot_requests_from_one_network_get_a_page_saying_to_wait(api: Api) -> None:
    # Given the forgot page, and the per-source limit of forgot-password (10 a minute) used up
    browser = PageClient(api)
    browser.get("/forgot?account=demo")
    answers = [browser.post("/forgot", {"account": "demo", "email": f"someone-{n}@example.com"}).status
               for n in range(11)]

    # Then the eleventh is told to wait, in a page, whatever the email
    assert answers == [200] * 10 + [429]
    assert "Please wait a moment" in text_of(browser.post("/forgot", {"account": "demo", "email": EMAIL}))
