"""A business's activity as the platform's events report it, and the reads the operator portal's
activity view will make: the last months' counters, the sites seen, the onboarding steps done."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from handover.runtime import Runtime

from tests.conftest import Api, invoke, platform_event


def deliver(detail_type: str, detail: dict[str, Any]) -> str:
    result: str = invoke("platform_events", platform_event(detail_type, detail))["result"]
    return result


def test_payments_are_counted_in_their_month_with_a_sum_per_currency(api: Api, seeded: Runtime) -> None:
    # Given payments in two months and two currencies, one of them delivered twice
    account_id = api.account_id("demo")
    for payment_id, amount, currency, at in [("p-1", 10.25, "EUR", "2026-02-27T23:30:00-02:00"),
                                             ("p-2", 0.1, "eur", "2026-03-01T08:00:00Z"),
                                             ("p-3", 0.2, "EUR", "2026-03-02T08:00:00Z"),
                                             ("p-4", 7, "USD", "2026-03-03T08:00:00Z"),
                                             ("p-3", 0.2, "EUR", "2026-03-02T08:00:00Z")]:
        deliver("payment.received", {"account_id": account_id, "payment_id": payment_id, "amount": amount,
                                     "currency": currency, "received_at": at})

    # When the operator portal reads the last three months (as of March)
    months = seeded.directory.activity.last_months(account_id, 3, datetime(2026, 3, 15, tzinfo=UTC))

    # Then February has the payment made late on the 27th in UTC-2 (the 28th in UTC), March the
    # other three once each, with exact sums, per currency too; January is there, empty
    assert [(m.month, m.payments, m.payments_amount, m.amounts) for m in months] == [
        ("2026-01", 0, Decimal(0), {}),
        ("2026-02", 1, Decimal("10.25"), {"EUR": Decimal("10.25")}),
        ("2026-03", 3, Decimal("7.3"), {"EUR": Decimal("0.3"), "USD": Decimal(7)}),
    ]


def test_the_last_months_cross_a_year_in_one_query(api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    account_id = api.account_id("demo")
    deliver("booking.created", {"account_id": account_id, "booking_id": "b-1", "email": "ann@example.com",
                                "created_at": "2025-12-31T23:59:59Z"})
    calls: list[str] = []
    real_query = seeded.dynamo._client.query
    monkeypatch.setattr(seeded.dynamo._client, "query",
                        lambda **request: calls.append("Query") or real_query(**request))

    months = seeded.directory.activity.last_months(account_id, 3, datetime(2026, 2, 1, tzinfo=UTC))

    assert [(m.month, m.bookings) for m in months] == [("2025-12", 1), ("2026-01", 0), ("2026-02", 0)]
    assert calls == ["Query"]


def test_sites_are_kept_once_as_origins(api: Api, seeded: Runtime) -> None:
    # Given sightings of the widget, the same origin written several ways
    account_id = api.account_id("demo")
    results = [deliver("widget.seen", {"account_id": account_id, "site": site}) for site in [
        "https://Shop.Example.com", "https://shop.example.com:443/", "http://shop.example.com",
        "https://shop.example.com:8443", "http://shop.example.com:80"]]

    # Then each origin is listed once, lower-case, without its default port
    assert results == ["recorded", "duplicate", "recorded", "recorded", "duplicate"]
    assert [site.origin for site in seeded.directory.activity.sites(account_id)] == [
        "http://shop.example.com", "https://shop.example.com", "https://shop.example.com:8443"]


def test_completed_onboarding_steps_are_listed_once(api: Api, seeded: Runtime) -> None:
    account_id = api.account_id("demo")
    for step in ["add_staff", "install_widget", "add_staff"]:
        deliver("onboarding.step_completed", {"account_id": account_id, "step": step})
    steps = seeded.directory.activity.completed_steps(account_id)
    assert [(step.step, step.completed_at) for step in steps] == [("add_staff", "2026-11-18T10:16:40Z"),
                                                                  ("install_widget", "2026-11-18T10:16:40Z")]


def test_one_business_s_activity_is_not_another_s(api: Api, seeded: Runtime) -> None:
    demo, clinic = api.account_id("demo"), api.account_id("clinic")
    deliver("widget.seen", {"account_id": demo, "site": "https://demo.example"})
    deliver("onboarding.step_completed", {"account_id": demo, "step": "add_staff"})
    assert seeded.directory.activity.sites(clinic) == []
    assert seeded.directory.activity.completed_steps(clinic) == []
    # the same site for the clinic is the clinic's first sighting, not a repeat
    assert deliver("widget.seen", {"account_id": clinic, "site": "https://demo.example"}) == "recorded"
