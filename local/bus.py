"""The events put on the event buses: each event moto's EventBridge accepts from PutEvents, captured
where moto runs (in this process), as local/outbox.py captures emails. The dev server lists those
on Handover's own bus at `GET /_local/events`; the tests read them with `published_events()`."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

from moto.events.models import EventsBackend


def bus_name(name_or_arn: str | None) -> str:
    """A bus's name, from its name or ARN (PutEvents takes either; none is the default bus)."""
    return (name_or_arn or "default").rsplit("event-bus/", 1)[-1]


class EventLog:
    def __init__(self) -> None:
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any], event_id: str) -> None:
        """One PutEvents entry that EventBridge accepted, with the id it gave the event."""
        when = entry.get("Time")
        if not isinstance(when, str):  # absent (now), or epoch seconds as the SDK sends a datetime
            when = datetime.fromtimestamp(when or datetime.now(UTC).timestamp(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            self._events.append({"id": event_id, "source": entry["Source"], "detail-type": entry["DetailType"],
                                 "detail": json.loads(entry["Detail"]), "time": when,
                                 "bus": bus_name(entry.get("EventBusName"))})

    def events(self, detail_type: str | None = None, bus: str | None = None) -> list[dict[str, Any]]:
        """Oldest first, of one detail type and on one bus if asked."""
        with self._lock:
            return [event for event in self._events if detail_type in (None, event["detail-type"])
                    and bus in (None, event["bus"])]

    def clear(self) -> None:
        with self._lock:
            self._events.clear()


_capturing: list[EventLog] = []  # where accepted events go: the log of the latest capture


def capture_put_events(log: EventLog) -> None:
    """From now on, record in `log` each event moto's EventBridge accepts (moto runs in this
    process). moto is wrapped once; a later call sends the events to its own log instead."""
    _capturing[:] = [log]
    original = EventsBackend.put_events
    if getattr(original, "_captured", False):
        return

    def put_events(self: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = original(self, events)
        for entry, result in zip(events, results, strict=True):
            if "EventId" in result:
                _capturing[0].record(entry, result["EventId"])
        return results

    put_events._captured = True  # type: ignore[attr-defined]
    EventsBackend.put_events = put_events  # type: ignore[method-assign]
