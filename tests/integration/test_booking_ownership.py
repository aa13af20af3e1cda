"""Whose bookings are whose: a booking belongs to the customer holding its email in the business
when it comes, or to the next customer to take that email; an email change keeps a customer's
bookings, leaves the old address's later ones to its next holder and takes the new address's
earlier ones. Counts are counters, always equal to what is filed, even when a booking comes
between a read and the write built from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from handover.data.directory import Directory
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, Api, add_booking, invoke, platform_event


def booking_ids(api: Api, token: str, customer_id: str, limit: int = 100) -> list[str]:
    """All of the customer's bookings, newest first, page by page."""
    seen: list[str] = []
    cursor: str | None = None
    while True:
        reply = api.call("GET", f"/v1/customers/{customer_id}/bookings?limit={limit}"
                         + (f"&cursor={cursor}" if cursor else ""), token=token)
        assert reply.status == 200, reply.body
        seen += [booking["id"] for booking in reply.json()["items"]]
        cursor = reply.json()["next_cursor"]
        if cursor is None:
            return seen


def change_email(api: Api, token: str, customer_id: str, email: str) -> dict[str, Any]:
    reply = api.call("PATCH", f"/v1/customers/{customer_id}", {"email": email}, token=token)
    assert reply.status == 200, reply.body
    customer: dict[str, Any] = reply.json()["customer"]
    return customer


def test_a_booking_made_before_its_customer_exists_is_theirs_when_they_are_created(api: Api) -> None:
    # Given two bookings made with an email nobody holds yet
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    add_booking(account_id, "ann@example.com", "b-1", "2026-03-01T10:00:00Z")
    add_booking(account_id, "ann@example.com", "b-2", "2026-03-02T10:00:00Z")

    # When staff create Ann, and a third booking comes
    ann = api.create_customer(owner, "ann@example.com")
    add_booking(account_id, "ann@example.com", "b-3", "2026-02-01T10:00:00Z", holder_id=ann["id"])

    # Then all three are hers, newest first by when they were made, and counted
    assert ann["booking_count"] == 2
    assert booking_ids(api, owner, ann["id"]) == ["b-2", "b-1", "b-3"]
    assert api.customer(owner, ann["id"])["booking_count"] == 3


def test_after_an_email_change_the_old_address_s_bookings_go_to_its_next_holder(api: Api) -> None:
    # Given Ann with a booking
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    ann = api.create_customer(owner, "ann@example.com")
    add_booking(account_id, "ann@example.com", "b-1", "2026-03-01T10:00:00Z", holder_id=ann["id"])

    # When staff change her email, a booking is made with the old address, and a new customer takes it
    assert change_email(api, owner, ann["id"], "ann.new@example.com")["booking_count"] == 1
    add_booking(account_id, "ann@example.com", "b-2", "2026-03-02T10:00:00Z")  # nobody's, for now
    other = api.create_customer(owner, "ann@example.com")

    # Then Ann keeps hers and not the later one; the new holder has the later one only
    assert booking_ids(api, owner, ann["id"]) == ["b-1"]
    assert api.customer(owner, ann["id"])["booking_count"] == 1
    assert other["booking_count"] == 1
    assert booking_ids(api, owner, other["id"]) == ["b-2"]


def test_an_email_change_takes_the_new_address_s_earlier_bookings_and_back_again(api: Api) -> None:
    # Given Ann with a booking, and a booking made with another address nobody holds
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    ann = api.create_customer(owner, "ann@example.com")
    add_booking(account_id, "ann@example.com", "a-1", "2026-03-01T10:00:00Z", holder_id=ann["id"])
    add_booking(account_id, "ann.b@example.com", "b-1", "2026-03-03T10:00:00Z")

    # When staff change her email to that address, then a booking comes for each address, then back
    assert change_email(api, owner, ann["id"], "ann.b@example.com")["booking_count"] == 2
    add_booking(account_id, "ann.b@example.com", "b-2", "2026-03-05T10:00:00Z", holder_id=ann["id"])
    add_booking(account_id, "ann@example.com", "a-2", "2026-03-04T10:00:00Z")  # her old address: nobody's
    back = change_email(api, owner, ann["id"], "ann@example.com")

    # Then she has every one: her own, both addresses' earlier ones, and those made while she held them
    assert back["booking_count"] == 4
    assert booking_ids(api, owner, ann["id"]) == ["b-2", "a-2", "b-1", "a-1"]
    assert booking_ids(api, owner, ann["id"], limit=1) == ["b-2", "a-2", "b-1", "a-1"]

    # And a later booking for the address she left is nobody's
    add_booking(account_id, "ann.b@example.com", "b-3", "2026-03-06T10:00:00Z")
    assert api.customer(owner, ann["id"])["booking_count"] == 4


def test_an_email_corrected_with_an_invite_moves_bookings_as_a_change_does(api: Api) -> None:
    # Given Ann (with a typo in her address) with a booking, and a booking made with her real address
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    ann = api.create_customer(owner, "ann@exmaple.com")
    add_booking(account_id, "ann@exmaple.com", "t-1", "2026-03-01T10:00:00Z", holder_id=ann["id"])
    add_booking(account_id, "ann@example.com", "r-1", "2026-03-02T10:00:00Z")

    # When staff invite her, correcting the address first
    reply = api.call("POST", f"/v1/customers/{ann['id']}/invite", {"email": "ann@example.com"}, token=owner)
    assert reply.status == 202, reply.body

    # Then she keeps hers and takes the real address's; the typo is free, and its later bookings nobody's
    assert api.customer(owner, ann["id"])["booking_count"] == 2
    assert booking_ids(api, owner, ann["id"]) == ["r-1", "t-1"]
    add_booking(account_id, "ann@exmaple.com", "t-2", "2026-03-03T10:00:00Z")
    assert api.create_customer(owner, "ann@exmaple.com")["booking_count"] == 1


def test_a_page_is_one_query_per_shelf_that_has_bookings(api: Api, seeded: Runtime,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a customer without bookings, one with bookings made while she held her email, and one
    # who also took an address's earlier bookings
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    none = api.create_customer(owner, "none@example.com")
    own = api.create_customer(owner, "own@example.com")
    for number in range(30):
        add_booking(account_id, "own@example.com", f"o-{number}", f"2026-03-01T10:{number:02d}:00Z",
                    holder_id=own["id"])
    add_booking(account_id, "both@example.com", "e-1", "2026-03-01T09:00:00Z")
    both = api.create_customer(owner, "both@example.com")
    add_booking(account_id, "both@example.com", "l-1", "2026-03-01T11:00:00Z", holder_id=both["id"])
    queries: list[str] = []
    real_query = seeded.dynamo._client.query

    def counted(**request: Any) -> Any:
        queries.append(request["ExpressionAttributeValues"].get(":pk", {}).get("S", "?"))
        return real_query(**request)

    monkeypatch.setattr(seeded.dynamo._client, "query", counted)

    # When staff read each customer, and a page of each one's bookings
    counts = []
    for customer in (none, own, both):
        queries.clear()
        api.customer(owner, customer["id"])
        page = api.call("GET", f"/v1/customers/{customer['id']}/bookings?limit=10", token=owner).json()
        counts.append((len(queries), len(page["items"])))

    # Then nothing is queried for nobody's bookings, one Query per page for one shelf, two for two
    assert counts == [(0, 0), (2, 10), (4, 2)]


def test_every_count_equals_what_is_filed(api: Api, seeded: Runtime) -> None:
    # Given a busy history: bookings before and after customers, email changes both ways,
    # duplicates, cancellations before and after their bookings
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    deliveries = 0

    def deliver(detail_type: str, **detail: Any) -> str:
        nonlocal deliveries
        deliveries += 1
        result: str = invoke("platform_events", platform_event(
            detail_type, {"account_id": account_id, **detail}, f"e-{deliveries}"))["result"]
        return result

    def book(booking_id: str, email: str, day: int) -> None:
        made = f"2026-{day // 28 + 3:02d}-{day % 28 + 1:02d}T10:00:00Z"
        results = [deliver("booking.created", booking_id=booking_id, email=email, created_at=made) for _ in "12"]
        assert results == ["recorded", "duplicate"]

    book("x-1", "x@example.com", 1)
    deliver("booking.cancelled", booking_id="x-2")
    book("x-2", "x@example.com", 30)
    x = api.create_customer(owner, "x@example.com")
    book("x-3", "x@example.com", 2)
    y = api.create_customer(owner, "y@example.com")
    book("y-1", "y@example.com", 31)
    change_email(api, owner, x["id"], "z@example.com")
    book("x-4", "x@example.com", 3)
    book("z-1", "z@example.com", 32)
    change_email(api, owner, y["id"], "x@example.com")
    book("x-5", "x@example.com", 33)
    deliver("booking.cancelled", booking_id="x-3")
    change_email(api, owner, x["id"], "w@example.com")
    book("w-1", "w@example.com", 4)
    book("y-2", "y@example.com", 5)

    # Then each customer's count is the number of bookings they list, every booking is someone's or
    # counted as nobody's yet, and each month counts the bookings made in it
    listed = {who: booking_ids(api, owner, who) for who in (x["id"], y["id"])}
    for who, ids in listed.items():
        assert api.customer(owner, who)["booking_count"] == len(ids)
    assert sorted(listed[x["id"]]) == ["w-1", "x-1", "x-2", "x-3", "z-1"]
    assert sorted(listed[y["id"]]) == ["x-4", "x-5", "y-1"]
    months = seeded.directory.activity.months(account_id, "2026-03", "2026-04")
    assert [(month.month, month.bookings) for month in months] == [("2026-03", 5), ("2026-04", 4)]
    ledgers = [seeded.directory.bookings.ledger(account_id, f"{name}@example.com") for name in "xyzw"]
    assert [ledger.pending for ledger in ledgers] == [0, 1, 0, 0]
    assert len(listed[x["id"]]) + len(listed[y["id"]]) + 1 == sum(month.bookings for month in months) == 9
    detail = api.call("GET", f"/v1/customers/{x['id']}", token=owner).json()
    assert {b["id"] for b in detail["bookings"] if b["cancelled"]} == {"x-2", "x-3"}


# -- a booking coming between a read and the write built from it -------------------------------

def meanwhile(monkeypatch: pytest.MonkeyPatch, owner: Any, read: str, action: Callable[[], None]) -> None:
    """`action` runs once, just after the first call of `owner.read` has read what it reads."""
    real = getattr(owner, read)
    done: list[bool] = []

    def read_then_act(*args: Any) -> Any:
        found = real(*args)
        if not done:
            done.append(True)
            action()
        return found

    monkeypatch.setattr(owner, read, read_then_act)


def test_a_booking_coming_while_its_customer_is_created_is_counted_once(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a booking that comes just after staff read the email's ledger to create Ann
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    add_booking(account_id, "ann@example.com", "b-1", "2026-03-01T10:00:00Z")
    meanwhile(monkeypatch, Directory, "customer_rules",
              lambda: add_booking(account_id, "ann@example.com", "b-2", "2026-03-02T10:00:00Z"))

    # When staff create Ann
    ann = api.create_customer(owner, "ann@example.com")

    # Then the create read again and has both, counted once each
    assert ann["booking_count"] == 2
    assert booking_ids(api, owner, ann["id"]) == ["b-2", "b-1"]


def test_a_booking_read_as_nobody_s_while_its_email_is_taken_goes_to_the_taker(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given staff creating Ann just after a booking read her email's ledger (nobody held it)
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    created: list[dict[str, Any]] = []
    meanwhile(monkeypatch, seeded.directory.bookings, "arrival",
              lambda: created.append(api.create_customer(owner, "ann@example.com")))

    # When the booking is written
    result = invoke("platform_events", platform_event("booking.created", {
        "account_id": account_id, "booking_id": "b-1", "email": "ann@example.com",
        "created_at": "2026-03-01T10:00:00Z"}))["result"]

    # Then it read again and went to Ann, counted once
    [ann] = created
    assert result == "recorded"
    assert ann["booking_count"] == 0
    assert api.customer(owner, ann["id"])["booking_count"] == 1
    assert booking_ids(api, owner, ann["id"]) == ["b-1"]


def test_a_booking_for_the_old_address_coming_during_an_email_change_stays_with_the_customer(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given Ann, and a booking for her address coming just after staff read what her change needs
    owner = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")
    ann = api.create_customer(owner, "ann@example.com")
    meanwhile(monkeypatch, Directory, "customer_rules",
              lambda: add_booking(account_id, "ann@example.com", "b-1", "2026-03-01T10:00:00Z", holder_id=ann["id"]))

    # When the change is written
    changed = change_email(api, owner, ann["id"], "ann.new@example.com")

    # Then it read again: the booking is hers and counted, not lost under the old count
    assert changed["booking_count"] == 1
    assert booking_ids(api, owner, ann["id"]) == ["b-1"]
