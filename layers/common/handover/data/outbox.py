"""The outbox table: Handover's own events, one item each, written in the transaction of the
change it describes. Its stream feeds the publisher, which puts them on the event bus.

    id <event id>   detail_type   detail <JSON>   created_at   expires_ttl (7 days on)
"""

from __future__ import annotations

from pydantic import BaseModel

from handover.data.dynamo import Write, put


class OutboxRecord(BaseModel):
    id: str
    detail_type: str
    detail: str  # JSON, exactly as it goes on the bus
    created_at: int
    expires_ttl: int


class OutboxStore:
    def __init__(self, table: str) -> None:
        self.table = table

    def add(self, record: OutboxRecord) -> Write:
        return put(self.table, record.model_dump(), "attribute_not_exists(id)")
