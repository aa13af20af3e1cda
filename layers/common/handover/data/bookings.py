"""Bookings, filed under the email they were made with, so they belong to whichever customer
holds that email in the business; newest first within it.

    ACCT#<acct>#BOOKINGS#<email>   <created_at>#<id>   a booking
    ACCT#<acct>                    BOOKINGS#<email>    count: how many bookings that email has

The customer holding the email mirrors its count (`booking_count`), kept in step in the same
transaction, so a customer's count is read with the customer and never counted item by item.
"""

from __future__ import annotations

from pydantic import BaseModel

from handover.data.dynamo import Dynamo, FailureFactory, Item, Write, check, put, update
from handover.data.keys import customer_key
from handover.data.principals import CustomerRecord, fields


class BookingRecord(BaseModel):
    id: str
    account_id: str
    email: str
    created_at: str  # ISO 8601, UTC: `YYYY-MM-DDTHH:MM:SSZ`
    reference: str | None = None
    starts_at: str | None = None
    service: str | None = None
    cancelled: bool = False


def counter_key(account_id: str, email: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": f"BOOKINGS#{email}"}


def _partition(account_id: str, email: str) -> str:
    return f"ACCT#{account_id}#BOOKINGS#{email}"


class BookingStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def count(self, account_id: str, email: str) -> int:
        item = self._dynamo.get(self.table, counter_key(account_id, email))
        return int(item["count"]) if item else 0

    def newest(self, account_id: str, email: str, limit: int,
               before: str | None = None) -> tuple[list[BookingRecord], str | None]:
        """A page of the email's bookings, newest first, and the position the next page starts
        before (None on the last page)."""
        condition = "pk = :pk" + (" AND sk < :before" if before else "")
        values = {":pk": _partition(account_id, email), **({":before": before} if before else {})}
        items, _ = self._dynamo.query(self.table, condition, values, newest_first=True, limit=limit + 1)
        more = len(items) > limit
        page = items[:limit]
        return [BookingRecord.model_validate(item) for item in page], page[-1]["sk"] if more else None

    # -- writes, as transaction operations -----------------------------------------------------

    def add(self, booking: BookingRecord, holder: CustomerRecord | None) -> list[Write]:
        """The booking, counted for its email and, when a customer holds the email, for them."""
        writes = [
            put(self.table, {"pk": _partition(booking.account_id, booking.email),
                             "sk": f"{booking.created_at}#{booking.id}", **fields(booking)},
                "attribute_not_exists(pk)"),
            update(self.table, counter_key(booking.account_id, booking.email), "ADD #count :one",
                   names={"#count": "count"}, values={":one": 1}),
        ]
        if holder is not None:
            writes.append(update(self.table, customer_key(holder.account_id, holder.id),
                                 "ADD booking_count :one", "email = :email",
                                 values={":one": 1, ":email": booking.email}))
        return writes

    def count_unchanged(self, account_id: str, email: str, count: int, on_changed: FailureFactory) -> Write:
        """A transaction condition: the email still has `count` bookings (a customer copying the
        count must not miss one that arrives meanwhile)."""
        if count == 0:
            return check(self.table, counter_key(account_id, email), "attribute_not_exists(pk) OR #count = :zero",
                         names={"#count": "count"}, values={":zero": 0}, on_condition_failure=on_changed)
        return check(self.table, counter_key(account_id, email), "#count = :count", names={"#count": "count"},
                     values={":count": count}, on_condition_failure=on_changed)
