"""The outbox table: Handover's own events, one item each, written in the transaction of the
change it describes. Its stream feeds the publisher, which puts them on the event bus.

    id <event id>   detail_type   detail <JSON>   created_at   expires_ttl (7 days on)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from handover.data.dynamo import Dynamo, Write, put
from handover.models import Model


class OutboxRecord(Model):
    id: str
    detail_type: str
    detail: str  # JSON, exactly as it goes on the bus
    created_at: int
    expires_ttl: int


class MalformedOutboxItem(ValueError):
    """An item that is not an outbox item as `OutboxStore.add` writes them."""


def outbox_record(item: Mapping[str, Any]) -> OutboxRecord:
    """An outbox item read back (from the table or its stream's NEW_IMAGE), checked as far as the
    bus needs: its fields, and a detail that is a JSON object naming the item's own id (what
    consumers drop repeats by). The detail's data is left as it was written, so an item written
    by an older version of the service goes out unchanged."""
    try:
        record = OutboxRecord.model_validate(item)
        detail = json.loads(record.detail)
    except (ValidationError, ValueError) as error:
        raise MalformedOutboxItem(f"outbox item {item.get('id')!r}: {error}") from None
    if not isinstance(detail, dict) or detail.get("id") != record.id:
        raise MalformedOutboxItem(f"outbox item {record.id!r}: its detail is not a JSON object with its id")
    return record


class OutboxStore:
    def __init__(self, table: str) -> None:
        self.table = table

    def add(self, record: OutboxRecord) -> Write:
        return put(self.table, record.model_dump(), "attribute_not_exists(id)")

    def written_between(self, dynamo: Dynamo, start: int, end: int) -> Iterator[Mapping[str, Any]]:
        """Every item written from `start` to `end` (epoch seconds, both included), unchecked.
        A Scan: for replaying events by hand, never in a request path (items live 7 days)."""
        yield from dynamo.scan(self.table, "created_at BETWEEN :start AND :end", {":start": start, ":end": end})
