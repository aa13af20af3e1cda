"""GET /v1/operator/accounts/{id}/activity: the last three months' bookings and payments as the
platform's events counted them, the onboarding checklist of the platform's setting, and the sites
the booking widget was seen on; for operators cleared for the business."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from handover.accounts.activity import AccountActivity
from handover.runtime import Runtime, runtime

from tests.conftest import DEMO_OWNER, HELPDESK, OPERATOR, Api, invoke, platform_event, sample_event

# The view's "now": the events/ samples are of 18 November 2026.
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC).timestamp()
Deliver = Callable[[str, dict[str, Any]], str]


@pytest.fixture
def at_now(seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The activity view reads the clock as of NOW (the handlers use this runtime)."""
    monkeypatch.setattr(seeded, "account_activity", AccountActivity(
        directory=seeded.directory, onboarding_steps=seeded.settings.onboarding_steps, clock=lambda: NOW))


def deliver(detail_type: str, detail: dict[str, Any]) -> str:
    result: str = invoke("platform_events", platform_event(detail_type, detail))["result"]
    return result


def activity(api: Api, account_id: str, credentials: dict[str, str] = OPERATOR) -> Any:
    reply = api.call("GET", f"/v1/operator/accounts/{account_id}/activity", token=api.login(credentials))
    assert reply.status == 200, reply.body
    return reply.json()


def test_the_view_shows_what_the_platform_reported(api: Api, at_now: None) -> None:
    # Given payments in two of the last three months (two currencies, one delivered twice, one
    # from the events/ sample) and one from before them, a booking, a site seen twice, and
    # onboarding steps completed, one of them not on the checklist
    account_id = api.account_id("demo")
    assert invoke("platform_events", sample_event("platform_payment_received", account_id=account_id))[
        "result"] == "recorded"  # 89.5 EUR on 18 November
    for payment_id, amount, currency, at in [("p-1", 10.25, "EUR", "2026-12-01T08:00:00Z"),
                                             ("p-2", 7, "USD", "2026-12-02T08:00:00Z"),
                                             ("p-1", 10.25, "EUR", "2026-12-01T08:00:00Z"),
                                             ("p-0", 99, "EUR", "2026-09-30T23:59:59Z")]:
        deliver("payment.received", {"account_id": account_id, "payment_id": payment_id, "amount": amount,
                                     "currency": currency, "received_at": at})
    deliver("booking.created", {"account_id": account_id, "booking_id": "b-1", "email": "ann@example.com",
                                "created_at": "2026-12-03T10:00:00Z"})
    assert [deliver("widget.seen", {"account_id": account_id, "site": site})
            for site in ("https://Shop.Example.com", "https://shop.example.com/")] == ["recorded", "duplicate"]
    for step in ("staff", "profile", "newsletter"):
        deliver("onboarding.step_completed", {"account_id": account_id, "step": step})

    # When an operator reads the business's activity
    view = activity(api, account_id)

    # Then the months are October to December, oldest first, October with zeros; amounts are in
    # the currency of most payments, every currency's sum beside them
    assert view["months"] == [
        {"month": "2026-10", "bookings": 0, "payments": 0, "payments_amount": 0, "payments_amount_by_currency": {}},
        {"month": "2026-11", "bookings": 0, "payments": 1, "payments_amount": 89.5,
         "payments_amount_by_currency": {"EUR": 89.5}},
        {"month": "2026-12", "bookings": 1, "payments": 2, "payments_amount": 10.25,
         "payments_amount_by_currency": {"EUR": 10.25, "USD": 7}},
    ]
    assert view["payments_currency"] == "EUR"
    # And the checklist is the default setting's, with two of its steps done (the unknown one left out)
    assert view["onboarding"] == {"in_setup": True, "done": 2, "total": 5, "steps": [
        {"key": "profile", "done": True, "completed_at": "2026-11-18T10:16:40Z"},
        {"key": "services", "done": False, "completed_at": None},
        {"key": "staff", "done": True, "completed_at": "2026-11-18T10:16:40Z"},
        {"key": "payments", "done": False, "completed_at": None},
        {"key": "widget", "done": False, "completed_at": None},
    ]}
    # And the site is listed once, as an origin
    assert view["sites"] == [{"site": "https://shop.example.com", "first_seen_at": "2026-11-18T10:16:40Z"}]


def test_amounts_follow_the_currency_most_payments_came_in(api: Api, at_now: None) -> None:
    # Given more payments in USD than in EUR over the three months
    account_id = api.account_id("demo")
    for payment_id, amount, currency in [("p-1", 100, "EUR"), ("p-2", 1.5, "USD"), ("p-3", 2.5, "USD")]:
        deliver("payment.received", {"account_id": account_id, "payment_id": payment_id, "amount": amount,
                                     "currency": currency, "received_at": "2026-12-01T08:00:00Z"})

    # Then payments_amount is the USD sum, and every payment is counted
    view = activity(api, account_id)
    assert view["payments_currency"] == "USD"
    assert (view["months"][-1]["payments"], view["months"][-1]["payments_amount"]) == (3, 4)
    assert view["months"][-1]["payments_amount_by_currency"] == {"EUR": 100, "USD": 4}


def test_a_business_with_nothing_reported_shows_zeros(api: Api, at_now: None) -> None:
    # When the secure operator reads the secure clinic, which no event concerned
    view = activity(api, api.account_id("clinic"))

    # Then three empty months, no currency, nothing done, no sites
    assert [(month["month"], month["bookings"], month["payments"], month["payments_amount"])
            for month in view["months"]] == [("2026-10", 0, 0, 0), ("2026-11", 0, 0, 0), ("2026-12", 0, 0, 0)]
    assert view["payments_currency"] is None
    assert (view["onboarding"]["done"], view["onboarding"]["total"], view["sites"]) == (0, 5, [])


def test_the_view_is_two_round_trips_however_many_payments(api: Api, at_now: None, calls: list[str]) -> None:
    # Given many payments this month
    account_id = api.account_id("demo")
    for number in range(30):
        deliver("payment.received", {"account_id": account_id, "payment_id": f"p-{number}", "amount": 1,
                                     "currency": "EUR", "received_at": "2026-12-01T08:00:00Z"})
    token = api.login(OPERATOR)
    api.call("GET", f"/v1/operator/accounts/{account_id}/activity", token=token)  # pays the cold start
    calls.clear()

    # When an operator reads the activity
    reply = api.call("GET", f"/v1/operator/accounts/{account_id}/activity", token=token)

    # Then the token's operator, then the business with its months and steps, then its sites
    assert reply.json()["months"][-1]["payments"] == 30
    assert calls == ["GetItem", "BatchGetItem", "Query"]


def test_the_checklist_is_the_platform_s_setting(api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the stack parameter OnboardingSteps set to two steps (written loosely, one repeated)
    account_id = api.account_id("demo")
    deliver("onboarding.step_completed", {"account_id": account_id, "step": "widget"})
    monkeypatch.setenv("ONBOARDING_STEPS", " widget,go_live ,widget")
    runtime.cache_clear()

    # When an operator reads the activity (a new cold start, reading the setting)
    onboarding = activity(api, account_id)["onboarding"]

    # Then the checklist is those two steps, in that order
    assert [(step["key"], step["done"]) for step in onboarding["steps"]] == [("widget", True), ("go_live", False)]
    assert (onboarding["done"], onboarding["total"]) == (1, 2)


def test_who_may_read_it(api: Api) -> None:
    clinic, demo = api.account_id("clinic"), api.account_id("demo")
    # A secure business needs the Secure role; an unknown one is not found; staff are not operators
    refused = api.call("GET", f"/v1/operator/accounts/{clinic}/activity", token=api.login(HELPDESK))
    assert (refused.status, refused.code) == (403, "secure_account")
    assert api.call("GET", "/v1/operator/accounts/01J0000000000000000000000/activity",
                    token=api.login(OPERATOR)).status == 404
    staff = api.call("GET", f"/v1/operator/accounts/{demo}/activity", token=api.login(DEMO_OWNER))
    assert (staff.status, staff.code) == (403, "forbidden")
