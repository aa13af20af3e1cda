"""Handover's events onto its bus (the only EventBridge caller).

The outbox table's stream feeds the publisher function: each new outbox item becomes one
PutEvents entry on Handover's bus (source `handover`, the item's detail type, its detail exactly
as written), ten entries to a call. A record whose item is malformed, whose entry EventBridge
refused, or whose call failed is reported back as failed, so the stream hands it over again:
delivery is at least once, and consumers drop repeats by `detail.id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from botocore.exceptions import BotoCoreError, ClientError

from handover.contract.events import SOURCE
from handover.data.dynamo import Dynamo
from handover.data.outbox import MalformedOutboxItem, OutboxRecord, OutboxStore, outbox_record

PUT_EVENTS_LIMIT = 10  # entries per PutEvents call

Entry = dict[str, str]


class EventNotPublished(Exception):
    """Why EventBridge did not take an entry: its per-entry ErrorCode, or the failed call's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class EventBusUnavailable(EventNotPublished):
    """The PutEvents call itself failed (after the SDK's own retries): every entry of it failed."""


class Publisher:
    def __init__(self, events: Any, bus_name: str) -> None:
        self._events = events
        self._bus = bus_name

    def entry(self, record: DynamoDBRecord) -> Entry | None:
        """The entry for one stream record, or None for a record that is not a new item (the event
        source's filter keeps those away: TTL removals would otherwise come through here).
        MalformedOutboxItem for an item that is not an outbox item."""
        if record.event_name is not DynamoDBRecordEventName.INSERT:
            return None
        return self.entry_of(outbox_record(record.dynamodb.new_image if record.dynamodb else {}))

    def entry_of(self, item: OutboxRecord) -> Entry:
        return {"EventBusName": self._bus, "Source": SOURCE, "DetailType": item.detail_type, "Detail": item.detail}

    def publish(self, entries: Sequence[Entry]) -> list[EventNotPublished | None]:
        """Every entry, in order, ten to a call; for each, None once EventBridge has it, else why
        not. After a call that failed whole, the rest are not tried: they fail with it (the stream
        retries from the first failed record anyway)."""
        outcomes: list[EventNotPublished | None] = []
        down: EventBusUnavailable | None = None
        for start in range(0, len(entries), PUT_EVENTS_LIMIT):
            chunk = entries[start:start + PUT_EVENTS_LIMIT]
            if down is None:
                try:
                    outcomes.extend(self._put(chunk))
                    continue
                except EventBusUnavailable as error:
                    down = error
            outcomes.extend([down] * len(chunk))
        return outcomes

    def _put(self, entries: Sequence[Entry]) -> list[EventNotPublished | None]:
        try:
            response = self._events.put_events(Entries=list(entries))
        except ClientError as error:
            raise EventBusUnavailable(error.response.get("Error", {}).get("Code", "Unknown"),
                                      "the PutEvents call failed") from None
        except BotoCoreError as error:
            raise EventBusUnavailable(type(error).__name__, "EventBridge could not be reached") from None
        return [EventNotPublished(result["ErrorCode"], result.get("ErrorMessage", "")) if result.get("ErrorCode")
                else None for result in response["Entries"]]


class OutboxBatchProcessor(BatchProcessor):
    """Powertools' BatchProcessor for the outbox stream, where records go out together rather than
    one by one: its record handler (`Publisher.entry`) turns each record into an entry, or fails
    that record alone; then the entries go out ten to a PutEvents call, and a record whose entry
    EventBridge did not take fails after all. Failures are always reported record by record (never
    as a failed invocation), so the stream retries from the first failed record; bisecting a batch
    on a function error is left for what is not foreseen here (a timeout, a crash)."""

    def __init__(self, publisher: Publisher) -> None:
        super().__init__(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
        self._publisher = publisher
        self.published = 0

    def process(self) -> list[tuple[Any, ...]]:
        results = super().process()
        to_send = [(position, result[1], result[2]) for position, result in enumerate(results)
                   if result[0] == "success" and result[1] is not None]
        outcomes = self._publisher.publish([entry for _, entry, _ in to_send])
        for (position, _, raw), failure in zip(to_send, outcomes, strict=True):
            if failure is not None:
                results[position] = self._not_published(raw, failure)
        self.published = sum(1 for failure in outcomes if failure is None)
        return results

    @property
    def reasons(self) -> list[str]:
        """Why records failed, one line each."""
        return [str(exception[1]) for exception in self.exceptions]

    def _not_published(self, raw: Any, failure: EventNotPublished) -> tuple[str, str, Any]:
        self.success_messages[:] = [record for record in self.success_messages if record is not raw]
        record = self._to_batch_type(record=raw, event_type=self.event_type)
        return self.failure_handler(record=record, exception=(type(failure), failure, failure.__traceback__))


@dataclass
class Replayed:
    published: int = 0
    failed: list[str] = field(default_factory=list)  # why, one line per event EventBridge did not take
    malformed: list[str] = field(default_factory=list)


def replay(store: OutboxStore, dynamo: Dynamo, publisher: Publisher, start: int, end: int) -> Replayed:
    """Put every event written from `start` to `end` (epoch seconds) on the bus again, oldest first:
    what a batch in the publisher's dead-letter queue did not deliver, say. Consumers drop the
    repeats among them by `detail.id`."""
    items = sorted(store.written_between(dynamo, start, end), key=lambda item: (item["created_at"], item["id"]))
    replayed = Replayed()
    entries = []
    for item in items:
        try:
            entries.append(publisher.entry_of(outbox_record(item)))
        except MalformedOutboxItem as error:
            replayed.malformed.append(str(error))
    for failure in publisher.publish(entries):
        if failure is None:
            replayed.published += 1
        else:
            replayed.failed.append(str(failure))
    return replayed
