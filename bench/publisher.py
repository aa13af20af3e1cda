"""Part 6: the publisher's own time per event. Its handler runs in this process on DynamoDB stream
events as Lambda hands them over (new outbox items, wire format), with EventBridge in moto, for
batches of 1, 10 (one PutEvents call) and 100 (the template's BatchSize: ten calls). What a real
bus adds is the round trip of each PutEvents call; that is not here. Information, no goal."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.world import quiet
from local.lambdas import LambdaContext, by_name, handler_of

BATCHES = (1, 10, 100)
EVENTS_PER_SIZE = 1000  # events published at each batch size, after one warm-up batch


@dataclass
class BatchTimes:
    size: int
    calls_per_batch: int
    per_event: list[float] = field(default_factory=list)  # ms, one figure per batch
    failed: int = 0  # records reported failed (none expected)

    @property
    def median(self) -> float:
        return statistics.median(self.per_event)


def stream_event(size: int, first: int) -> dict[str, Any]:
    """`size` new outbox items as the stream hands them over, numbered from `first`."""
    from handover.contract.events import CustomerData, CustomerSummary, EventActor
    from handover.data.wire import serialise
    from handover.runtime import runtime

    rt = runtime()
    actor = EventActor(realm="staff", id="S1", email="owner@demo.example")
    records = []
    for number in range(first, first + size):
        data = CustomerData(customer=CustomerSummary(id=f"C{number}", email=f"c{number}@example.com",
                                                     first_name="Jane", last_name="Doe", status="active"))
        item = rt.outbox.event("customer.claimed", account_id="A1", actor=actor, data=data).key_or_item
        records.append({"eventID": f"e{number}", "eventName": "INSERT", "eventVersion": "1.1",
                        "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1",
                        "dynamodb": {"Keys": {"id": {"S": item["id"]}}, "NewImage": serialise(item),
                                     "SequenceNumber": str(10**20 + number), "SizeBytes": 512,
                                     "StreamViewType": "NEW_IMAGE"}})
    return {"Records": records}


def measure(progress: Callable[[str], None]) -> list[BatchTimes]:
    function = by_name("publisher")
    handler = handler_of(function)
    results = []
    numbered = 0
    for size in BATCHES:
        progress(f"publisher: {EVENTS_PER_SIZE} events in batches of {size}")
        times = BatchTimes(size, calls_per_batch=-(-size // 10))
        for batch in range(EVENTS_PER_SIZE // size + 1):
            event = stream_event(size, numbered)
            numbered += size
            with quiet():
                started = time.perf_counter()
                response = handler(event, LambdaContext(function_name=function.logical_id))
                elapsed = (time.perf_counter() - started) * 1000
            times.failed += len(response["batchItemFailures"])
            if batch:  # the first batch of each size warms up
                times.per_event.append(elapsed / size)
        results.append(times)
    return results
