"""The `Idempotency-Key` header: the same key, caller and body within 24 hours returns the first
answer and does nothing twice.

The answer is recorded inside the transaction the action runs anyway (its `Receipt` writes it,
first among the writes), so a key costs no round trip of its own: the record exists exactly when
the action's writes do, and a repeat fails the record's condition and is answered from it. A
request that fails before its transaction leaves no record, so a retry runs again; one that fails
after it (the email could not be sent) amends or forgets its record, whichever tells the truth.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from handover.data.dynamo import Write
from handover.data.idempotency import IdempotencyRecord, IdempotencyStore
from handover.data.wire import Item
from handover.errors import HandoverError, IdempotencyKeyReused, StorageUnavailable

if TYPE_CHECKING:
    from handover.identity.callers import Caller

Answer = dict[str, Any]  # JSON-able: what the request answers, and what a repeat answers again
RETENTION_SECONDS = 24 * 3600


class Receipt:
    """What an action does with its answer when the request carried no key: nothing."""

    def writes(self, answer: Answer) -> list[Write]:
        """The writes that record `answer`, to put first in the action's transaction."""
        return []

    def amend(self, answer: Answer) -> None:
        """After the transaction, the answer changed (an email could not be sent)."""

    def forget(self) -> None:
        """After the transaction, the request failed after all: a retry with the key runs again."""


NO_KEY = Receipt()


class _Answered(HandoverError):
    """The key's record already exists: the request is a repeat (never leaves this module)."""

    status, code, title = 409, "idempotency_repeat", "This request was already answered"

    def __init__(self, record: IdempotencyRecord | None) -> None:
        super().__init__()
        self.record = record


class _KeyReceipt(Receipt):
    def __init__(self, store: IdempotencyStore, record_id: str, fingerprint: str, now: int) -> None:
        self._store = store
        self._record_id = record_id
        self._fingerprint = fingerprint
        self._now = now

    def writes(self, answer: Answer) -> list[Write]:
        record = IdempotencyRecord(id=self._record_id, fingerprint=self._fingerprint, answer=_json(answer),
                                   expiration=self._now + RETENTION_SECONDS)
        return [self._store.add(record, self._now, _answered)]

    def amend(self, answer: Answer) -> None:
        self._store.amend(self._record_id, _json(answer))

    def forget(self) -> None:
        self._store.remove(self._record_id)


class Idempotency:
    def __init__(self, store: IdempotencyStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def once(self, key: str | None, caller: Caller, action: str, body: Any,
             produce: Callable[[Receipt], Answer]) -> Answer:
        """`produce(receipt)`'s answer, computed at most once per (caller, action, key); `produce`
        puts `receipt.writes(answer)` first in its transaction."""
        if not key:
            return produce(NO_KEY)
        record_id = _digest([action, caller.realm, caller.id, key])
        fingerprint = _digest(body)
        now = int(self._clock())
        try:
            return produce(_KeyReceipt(self._store, record_id, fingerprint, now))
        except _Answered as repeat:
            return _replay(repeat.record or self._store.get(record_id, now), fingerprint)
        except HandoverError as error:
            # A repeat can fail a check made before any write (the customer has claimed since the
            # invite, say); the first answer still stands.
            if error.status >= 500 or (first := self._store.get(record_id, now)) is None:
                raise
            return _replay(first, fingerprint)


def _answered(old: Item | None) -> HandoverError:
    return _Answered(IdempotencyRecord.model_validate(old) if old else None)


def _replay(first: IdempotencyRecord | None, fingerprint: str) -> Answer:
    if first is None:  # answered, then expired and removed between the two reads: a conflict to retry
        raise StorageUnavailable("The first answer to this Idempotency-Key could not be read; please retry")
    if first.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    answer: Answer = json.loads(first.answer)
    return answer


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _digest(value: Any) -> str:
    return hashlib.sha256(_json(value).encode()).hexdigest()
