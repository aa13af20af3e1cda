"""What Lambda's event source mapping does for a function subscribed to a DynamoDB stream, done
locally: it reads the stream (moto's, through the dynamodbstreams API) from the function's
starting position, keeps the records its FilterCriteria let through, hands them over in batches
of its BatchSize and remembers how far it got. A batch whose invocation failed is handed over
again whole; one that reports `batchItemFailures` again from its first failed record, in order,
as often as it takes (the template retries until a record leaves the stream; moto's stream keeps
records for good). Bisecting a batch after a function error is not imitated."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from local.aws import REGION
from local.lambdas import LambdaContext, handler_of
from local.patterns import matches
from local.template import Function, StreamSource

Invoke = Callable[[Function, dict[str, Any]], Any]
POLL_SECONDS = 0.25  # Lambda polls a DynamoDB stream's shards four times a second


def run_in_process(function: Function, event: dict[str, Any]) -> Any:
    return handler_of(function)(event, LambdaContext(function_name=function.logical_id))


class StreamTriggers:
    def __init__(self, functions: list[Function], invoke: Invoke = run_in_process) -> None:
        self._subscriptions = [(function, source) for function in functions for source in function.streams]
        for function, source in self._subscriptions:
            if source.starting_position != "TRIM_HORIZON":
                raise ValueError(f"{function.logical_id}: only StartingPosition TRIM_HORIZON is played locally")
        self._invoke = invoke
        # botocore's account-based endpoint for streams (<account>.streams-ddb.<region>...) is one
        # moto 5.2.5's in-process mock does not route; the regional one it does.
        self._client = boto3.session.Session().client("dynamodbstreams", region_name=REGION,
                                                      config=Config(account_id_endpoint_mode="disabled"))
        self._positions: dict[tuple[str, str], tuple[str, str]] = {}  # (function, table) -> (iterator type, seq)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.retrying = False  # the last drain stopped at a failed batch

    def drain(self) -> int:
        """Hand over what waits in every subscribed stream, stopping a stream at a batch that
        fails (the next drain hands it over again); how many records were handed over."""
        with self._lock:
            self.retrying = False
            return sum(self._drain(function, source) for function, source in self._subscriptions)

    def _drain(self, function: Function, source: StreamSource) -> int:
        arn = os.environ[f"STREAM_ARN_{source.table}"]
        key = (function.logical_id, source.table)
        filters = [json.loads(pattern) for pattern in source.filters]
        handed = 0
        while records := self._read(arn, self._positions.get(key, ("TRIM_HORIZON", ""))):
            batch: list[dict[str, Any]] = []
            for index, record in enumerate(records):
                if not filters or any(matches(pattern, record) for pattern in filters):
                    batch.append(record)
                if len(batch) < source.batch_size and index < len(records) - 1:
                    continue
                if batch:
                    handed += len(batch)
                    failed = self._hand_over(function, batch)
                    if failed is not None:
                        self._positions[key] = ("AT_SEQUENCE_NUMBER", failed)
                        self.retrying = True
                        return handed
                    batch = []
                self._positions[key] = ("AFTER_SEQUENCE_NUMBER", record["dynamodb"]["SequenceNumber"])
        return handed

    def _read(self, arn: str, position: tuple[str, str]) -> list[dict[str, Any]]:
        """Up to 1,000 records from `position`, shaped as Lambda hands them to a function."""
        shard = self._client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        kind, sequence = position
        iterator = self._client.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind,
                                                   **({"SequenceNumber": sequence} if sequence else {}))
        records = self._client.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]
        for record in records:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if created is not None:
                record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
            record.update(awsRegion=REGION, eventSourceARN=arn)
        return list(records)

    def _hand_over(self, function: Function, batch: list[dict[str, Any]]) -> str | None:
        """Invoke the function with one batch; the sequence number to hand over again from, if any."""
        sequence = [record["dynamodb"]["SequenceNumber"] for record in batch]
        try:
            response = self._invoke(function, {"Records": batch})
        except Exception as error:  # the invocation failed: Lambda hands the whole batch over again
            print(f"local stream trigger: {function.name} failed, retrying its batch: {error!r}", flush=True)
            return sequence[0]
        failed = [item.get("itemIdentifier") for item in (response or {}).get("batchItemFailures", [])]
        if not failed:
            return None
        if not all(identifier in sequence for identifier in failed):  # Lambda: the whole batch failed
            return sequence[0]
        return min(failed, key=sequence.index)

    def start(self) -> None:
        threading.Thread(target=self._poll, daemon=True, name="stream-triggers").start()

    def stop(self) -> None:
        self._stop.set()

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.drain()
            except Exception as error:  # keep polling: a local stand-in must not die quietly
                print(f"local stream trigger failed: {error!r}", flush=True)
                self.retrying = True
            if self.retrying:  # a failing batch is retried once a second, not four times
                self._stop.wait(1)
