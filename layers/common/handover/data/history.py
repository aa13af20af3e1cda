"""The history table: one item per recorded action, under the business it concerns.

    pk ACCT#<acct>   sk <at, zero-padded milliseconds>#<id>

Items carry `expires_ttl` for DynamoDB TTL and `expiry_day` + `expires_at` for the cleanup index
(data/expiry.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from handover.data.dynamo import Dynamo, Write, put
from handover.data.expiry import EXPIRY_INDEX
from handover.data.wire import Item
from handover.models import Model


class Actor(Model):
    realm: Literal["operator", "staff", "customer", "system"]
    id: str
    email: str | None = None


class HistoryRecord(Model):
    id: str
    account_id: str
    at: int  # milliseconds since the epoch
    actor: Actor
    on_behalf_of: Actor | None = None
    action: str
    target: dict[str, str]
    details: dict[str, Any] = Field(default_factory=dict)
    expires_at: int
    expiry_day: str
    expires_ttl: int


class HistoryStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def add(self, record: HistoryRecord) -> Write:
        item = {"pk": f"ACCT#{record.account_id}", "sk": f"{record.at:015d}#{record.id}",
                **record.model_dump(exclude_none=True)}
        return put(self.table, item, "attribute_not_exists(pk)")

    def newest(self, account_id: str, limit: int, after: Item | None = None) -> tuple[list[HistoryRecord], Item | None]:
        """A page of the business's history, newest first, and where the next page starts."""
        items, last = self._dynamo.query(self.table, "pk = :pk", {":pk": f"ACCT#{account_id}"},
                                         newest_first=True, limit=limit, start_key=after)
        return [HistoryRecord.model_validate(item) for item in items], last

    def expired_keys(self, day: str, now: int, limit: int,
                     after: Item | None = None) -> tuple[list[Item], Item | None]:
        """Keys of entries that expired on `day` before `now` (found by the expiry-day index)."""
        return self._dynamo.keys_expired(self.table, EXPIRY_INDEX, day, now, limit, ("pk", "sk"), after)

    def remove(self, keys: list[Item]) -> None:
        self._dynamo.delete_many(self.table, keys)
