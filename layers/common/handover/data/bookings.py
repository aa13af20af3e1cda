"""Bookings, filed under the email they were made with, so they attach to whichever customer
holds that email in the business."""

from __future__ import annotations

from pydantic import BaseModel

from handover.data.dynamo import Dynamo, Write, put
from handover.data.principals import fields


class BookingRecord(BaseModel):
    id: str
    account_id: str
    email: str
    reference: str | None = None
    starts_at: str | None = None
    service: str | None = None


class BookingStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def count(self, account_id: str, email: str) -> int:
        return self._dynamo.count(self.table, "pk = :pk AND begins_with(sk, :prefix)",
                                  {":pk": f"ACCT#{account_id}", ":prefix": f"BOOKING#{email}#"})

    def of_email(self, account_id: str, email: str, limit: int = 100) -> list[BookingRecord]:
        items, _ = self._dynamo.query(self.table, "pk = :pk AND begins_with(sk, :prefix)",
                                      {":pk": f"ACCT#{account_id}", ":prefix": f"BOOKING#{email}#"}, limit=limit)
        return [BookingRecord.model_validate(item) for item in items]

    def add(self, booking: BookingRecord) -> Write:
        return put(self.table, {"pk": f"ACCT#{booking.account_id}",
                                "sk": f"BOOKING#{booking.email}#{booking.id}", **fields(booking)})
