"""The dev server's stand-ins for the AWS side of events: tables created with their streams and
the template's event bus, and Lambda's reading of a stream (local/streams.py) for a function
subscribed to it: batches of its size, its filter, and retries from the first failed record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from handover.runtime import Runtime

from local.aws import REGION
from local.streams import StreamTriggers
from local.template import Function, StreamSource
from tests.conftest import raise_events

INSERTS = ('{"eventName": ["INSERT"]}',)


def subscriber(batch_size: int = 3) -> Function:
    return Function("FakeFunction", Path("functions/fake"), "app.lambda_handler", (), (),
                    streams=(StreamSource("OutboxTable", "TRIM_HORIZON", batch_size, INSERTS),))


class Scripted:
    """A function that answers each batch as told, in turn (then succeeds), and notes what it got."""

    def __init__(self, *answers: Any) -> None:
        self.batches: list[list[str]] = []
        self.answers = list(answers)

    def __call__(self, function: Function, event: dict[str, Any]) -> Any:
        self.batches.append([record["dynamodb"]["NewImage"]["id"]["S"] for record in event["Records"]])
        answer = self.answers.pop(0) if self.answers else {"batchItemFailures": []}
        if isinstance(answer, Exception):
            raise answer
        return answer(event) if callable(answer) else answer


def failing_records(*positions: int) -> Any:
    """batchItemFailures naming the records at these positions of the batch, in that order."""
    return lambda event: {"batchItemFailures": [{"itemIdentifier": event["Records"][position]["dynamodb"]
                                                 ["SequenceNumber"]} for position in positions]}


def test_the_tables_have_their_streams_and_the_event_bus_exists(aws: dict[str, str]) -> None:
    # Given the template's resources in moto
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    events = boto3.client("events", region_name=REGION)

    # Then the outbox table streams new images (and no other table streams), and its bus exists
    outbox = dynamodb.describe_table(TableName=aws["OUTBOX_TABLE"])["Table"]
    assert outbox["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert aws["STREAM_ARN_OutboxTable"] == outbox["LatestStreamArn"]
    assert "StreamSpecification" not in dynamodb.describe_table(TableName=aws["DIRECTORY_TABLE"])["Table"]
    assert aws["EVENT_BUS_NAME"] == "handover-local-events"
    assert events.describe_event_bus(Name=aws["EVENT_BUS_NAME"])["Arn"].endswith(":event-bus/handover-local-events")


def test_records_are_handed_over_in_batches_and_again_from_the_first_failed_one(rt: Runtime) -> None:
    # Given seven new outbox items, and a subscriber that reports two records of its first batch failed
    ids = raise_events(7)
    function = Scripted(failing_records(2, 1))
    triggers = StreamTriggers([subscriber(batch_size=3)], invoke=function)

    # When the stream is drained three times
    handed = [triggers.drain(), triggers.drain(), triggers.drain()]

    # Then the first drain stopped at the failed batch, the next began again at its first failed record (the
    # one earlier in the stream, whatever the order reported) and went on in order, and the last found nothing
    assert handed == [3, 6, 0]
    assert function.batches == [ids[0:3], ids[1:4], ids[4:7]]


def test_a_failed_invocation_or_an_unknown_identifier_hands_the_whole_batch_over_again(rt: Runtime) -> None:
    # Given two items, and a subscriber that first fails, then reports a record that is not in its batch
    ids = raise_events(2)
    function = Scripted(RuntimeError("the function crashed"), {"batchItemFailures": [{"itemIdentifier": "1"}]})
    triggers = StreamTriggers([subscriber()], invoke=function)

    # When the stream is drained until it is quiet
    handed = [triggers.drain() for _ in range(4)]

    # Then the whole batch was handed over three times, the last time for good
    assert handed == [2, 2, 2, 0]
    assert function.batches == [ids, ids, ids]


def test_only_what_the_filter_lets_through_is_handed_over(rt: Runtime) -> None:
    # Given an item, updated, then removed, and another item after those
    [first] = raise_events(1)
    rt.dynamo.increment(rt.settings.outbox_table, {"id": first}, "created_at")
    rt.dynamo.delete_many(rt.settings.outbox_table, [{"id": first}])
    [second] = raise_events(1, start=1)
    function = Scripted()

    # When the stream is drained
    StreamTriggers([subscriber(batch_size=10)], invoke=function).drain()

    # Then only the two new items reached the subscriber, together
    assert function.batches == [[first, second]]


def test_a_starting_position_not_played_locally_is_refused() -> None:
    latest = Function("FakeFunction", Path("functions/fake"), "app.lambda_handler", (), (),
                      streams=(StreamSource("OutboxTable", "LATEST", 10, ()),))
    with pytest.raises(ValueError, match="TRIM_HORIZON"):
        StreamTriggers([latest])
