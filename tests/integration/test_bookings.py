"""A customer's bookings: filed under their email, counted on the customer, the 25 newest with
the customer and all of them page by page, newest first."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import CLINIC_OWNER, DEMO_FRONTDESK, DEMO_OWNER, Api, add_booking

START = datetime(2026, 3, 1, 9, tzinfo=UTC)


def book(account_id: str, email: str, count: int, holder_id: str | None = None, prefix: str = "B") -> list[str]:
    """`count` bookings made with `email`, two in each hour (so that ties are ordered and paged too);
    their ids, newest first."""
    ids = [f"{prefix}{number:03d}" for number in range(count)]
    for number, booking_id in enumerate(ids):
        created_at = (START + timedelta(hours=number // 2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        add_booking(account_id, email, booking_id, created_at, holder_id)
    return ids[::-1]


def clinic_customer_with_bookings(api: Api) -> tuple[str, dict[str, Any]]:
    """Harbour Clinic's owner's token, and their customer pat@example.com with three bookings."""
    clinic = api.login(CLINIC_OWNER)
    theirs = api.create_customer(clinic, "pat@example.com")
    book(theirs["account_id"], "pat@example.com", 3, holder_id=theirs["id"])
    return clinic, theirs


def page_ids(api: Api, token: str, customer_id: str, query: str = "") -> tuple[list[str], str | None]:
    reply = api.call("GET", f"/v1/customers/{customer_id}/bookings{query}", token=token)
    assert reply.status == 200, reply.body
    return [booking["id"] for booking in reply.json()["items"]], reply.json()["next_cursor"]


def test_a_customer_shows_their_25_newest_bookings_and_counts_them_all(api: Api) -> None:
    # Given a customer and 30 bookings made for them
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    newest_first = book(customer["account_id"], customer["email"], 30, holder_id=customer["id"])

    # When staff read the customer
    detail = api.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()

    # Then the 25 newest come newest first, and the count counts all 30
    assert detail["customer"]["booking_count"] == 30
    assert [booking["id"] for booking in detail["bookings"]] == newest_first[:25]
    assert detail["bookings"][0] == {"id": "B029", "created_at": "2026-03-01T23:00:00Z", "reference": "R-B029",
                                     "starts_at": None, "service": None, "cancelled": False}


def test_a_customer_sees_their_own_newest_bookings(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer, session = api.claimed_customer(owner)
    newest_first = book(customer["account_id"], customer["email"], 3, holder_id=customer["id"])
    me = api.call("GET", "/v1/me", token=session).json()
    assert me["customer"]["booking_count"] == 3
    assert [booking["id"] for booking in me["bookings"]] == newest_first


@pytest.mark.parametrize(("count", "limit"), [(7, 3), (6, 3), (5, 1), (2, 25), (0, 25)])
def test_bookings_page_newest_first_without_gaps_or_repeats(api: Api, count: int, limit: int) -> None:
    # Given a customer with `count` bookings
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    newest_first = book(customer["account_id"], customer["email"], count, holder_id=customer["id"])

    # When staff read them `limit` at a time, following next_cursor until it is null
    seen: list[str] = []
    pages = 0
    cursor: str | None = None
    while pages == 0 or cursor is not None:
        ids, cursor = page_ids(api, owner, customer["id"], f"?limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert len(ids) <= limit
        seen += ids
        pages += 1
        assert pages <= count + 1, "the cursor does not move on"

    # Then every booking came once, newest first, and no page was asked for after the last one
    assert seen == newest_first
    assert pages == max(1, math.ceil(count / limit))


def test_a_cursor_from_another_business_s_customer_is_refused(api: Api) -> None:
    # Given customers with the same email and bookings in two businesses, and a cursor into the clinic's
    clinic, theirs = clinic_customer_with_bookings(api)
    _, cursor = page_ids(api, clinic, theirs["id"], "?limit=1")
    assert cursor
    owner = api.login(DEMO_OWNER)
    ours = api.create_customer(owner, "pat@example.com")
    book(ours["account_id"], "pat@example.com", 3, holder_id=ours["id"])

    # When Demo Studio's owner pages their customer's bookings with it
    reply = api.call("GET", f"/v1/customers/{ours['id']}/bookings?cursor={cursor}", token=owner)

    # Then it is refused
    assert (reply.status, reply.code) == (422, "cursor_invalid")


@pytest.mark.parametrize("cursor", [
    "not-a-cursor",
    "e30",  # {}
    "WyJhIl0",  # ["a"]
    "eyJhY2N0IjoieCJ9",  # {"acct":"x"}
])
def test_a_garbage_cursor_is_refused(api: Api, cursor: str) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    reply = api.call("GET", f"/v1/customers/{customer['id']}/bookings?cursor={cursor}", token=owner)
    assert (reply.status, reply.code) == (422, "cursor_invalid")


@pytest.mark.parametrize("limit", ["0", "101", "many"])
def test_a_limit_outside_1_to_100_is_refused(api: Api, limit: str) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    reply = api.call("GET", f"/v1/customers/{customer['id']}/bookings?limit={limit}", token=owner)
    assert (reply.status, reply.code) == (422, "validation_error")


def test_a_new_customer_gets_their_email_s_earlier_bookings_in_that_business_only(api: Api) -> None:
    # Given earlier bookings made with Sam's email in Demo Studio, and others that are not Sam's there
    owner = api.login(DEMO_OWNER)
    demo, clinic = api.account_id("demo"), api.account_id("clinic")
    earlier = book(demo, "sam@example.com", 2)
    book(demo, "someone.else@example.com", 1, prefix="X")
    book(clinic, "sam@example.com", 1, prefix="C")

    # When staff create Sam (the email written differently)
    customer = api.create_customer(owner, " Sam@Example.COM")

    # Then Sam has the two, counted
    assert customer["booking_count"] == 2
    assert page_ids(api, owner, customer["id"]) == (earlier, None)

    # And a booking made for Sam later counts on top, and comes first
    add_booking(demo, "sam@example.com", "LATER", "2027-01-01T09:00:00Z", holder_id=customer["id"])
    detail = api.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()
    assert detail["customer"]["booking_count"] == 3
    assert [booking["id"] for booking in detail["bookings"]] == ["LATER", *earlier]


def test_another_business_s_customer_s_bookings_are_a_404(api: Api) -> None:
    # Given a clinic customer with bookings
    _, theirs = clinic_customer_with_bookings(api)

    # Then Demo Studio's owner cannot page them, and cannot tell them from an unknown id
    owner = api.login(DEMO_OWNER)
    reply = api.call("GET", f"/v1/customers/{theirs['id']}/bookings", token=owner)
    unknown = api.call("GET", "/v1/customers/01ARZ3NDEKTSV4RRFFQ69G5FAV/bookings", token=owner)
    assert (reply.status, reply.code) == (404, "not_found")
    assert reply.body == unknown.body


def test_staff_who_may_only_read_customers_may_read_their_bookings(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    newest_first = book(customer["account_id"], customer["email"], 2, holder_id=customer["id"])
    assert page_ids(api, api.login(DEMO_FRONTDESK), customer["id"]) == (newest_first, None)
    anonymous = api.call("GET", f"/v1/customers/{customer['id']}/bookings")
    assert (anonymous.status, anonymous.code) == (401, "unauthenticated")
