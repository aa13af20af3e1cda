"""The idempotency table: one item per `Idempotency-Key` a caller used, holding the answer the
request gave, for 24 hours.

    id <SHA-256 of action, caller and key>   fingerprint <SHA-256 of the body>   answer <JSON>

Items carry `expiration` for DynamoDB TTL; since TTL deletion lags, an expired item counts as gone.
"""

from __future__ import annotations

from handover.data.dynamo import Dynamo, FailureFactory, Write, delete, put, update
from handover.models import Model


class IdempotencyRecord(Model):
    id: str
    fingerprint: str
    answer: str  # JSON, exactly as answered (a map would drop the nulls)
    expiration: int


class IdempotencyStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def get(self, record_id: str, now: int) -> IdempotencyRecord | None:
        item = self._dynamo.get(self.table, {"id": record_id})
        record = IdempotencyRecord.model_validate(item) if item else None
        return record if record and record.expiration > now else None

    def add(self, record: IdempotencyRecord, now: int, on_taken: FailureFactory) -> Write:
        """Written in the action's own transaction: a key nobody holds (or whose record expired)."""
        return put(self.table, record.model_dump(), "attribute_not_exists(id) OR expiration <= :now",
                   values={":now": now}, on_condition_failure=on_taken)

    def amend(self, record_id: str, answer: str) -> None:
        self._dynamo.write(update(self.table, {"id": record_id}, "SET #answer = :answer",
                                  names={"#answer": "answer"}, values={":answer": answer}))

    def remove(self, record_id: str) -> None:
        self._dynamo.write(delete(self.table, {"id": record_id}))
