"""Raising Handover's own events: each is an outbox item written in the same transaction as the
change it describes, so an event exists exactly when its change committed (never for one that did
not, and never lost between a commit and a publish). The publisher puts them on the bus."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel

from handover.contract.events import EVENT_TYPES, EventActor, EventDetail, EventPerson
from handover.data.dynamo import Write
from handover.data.history import Actor
from handover.data.outbox import OutboxRecord, OutboxStore
from handover.ids import new_id

RETENTION_SECONDS = 7 * 24 * 3600


def event_actor(actor: Actor, on_behalf_of: Actor | None = None) -> EventActor:
    return EventActor(**actor.model_dump(),
                      on_behalf_of=EventPerson(**on_behalf_of.model_dump()) if on_behalf_of else None)


class Outbox:
    def __init__(self, store: OutboxStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def event(self, detail_type: str, *, account_id: str, actor: EventActor, data: BaseModel) -> Write:
        """The write that raises the event; put it in the change's own transaction."""
        if not isinstance(data, EVENT_TYPES[detail_type]):
            raise TypeError(f"{detail_type} carries {EVENT_TYPES[detail_type].__name__}, not {type(data).__name__}")
        now = self._clock()
        detail = EventDetail[type(data)](  # type: ignore[misc,operator]
            id=new_id(now), occurred_at=datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"), account_id=account_id, actor=actor, data=data)
        return self._store.add(OutboxRecord(id=detail.id, detail_type=detail_type, detail=detail.model_dump_json(),
                                            created_at=int(now), expires_ttl=int(now) + RETENTION_SECONDS))
