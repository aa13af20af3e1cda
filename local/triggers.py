"""What EventBridge, SQS, S3 and DynamoDB streams do for the functions in AWS, done locally: SQS
queues are polled and their messages handed to the function that template.yaml subscribes to them
(deleting those it does not report as failed), buckets with an S3 event are polled for new objects
(under the event's prefix and suffix) and each new one handed to its function as an
`s3:ObjectCreated:Put` event, streams are read for the functions subscribed to them
(local/streams.py), and scheduled functions run on a tick or on demand."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

import boto3

from local.aws import ACCOUNT, REGION
from local.streams import Invoke, StreamTriggers, run_in_process
from local.template import BucketSource, Function, QueueSource


def s3_event(bucket: str, key: str, size: int, etag: str) -> dict[str, Any]:
    """The event S3 sends a function for a new object (one record), as Lambda delivers it."""
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:LOCAL"}, "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": "local"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "local",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "LOCAL"}, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag.strip('"'),
                          "sequencer": f"{time.time_ns():020X}"}},
    }]}


def scheduled_event(function: Function) -> dict[str, Any]:
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ACCOUNT, "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{function.logical_id}Daily"], "detail": {},
    }


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping hands a function for messages received."""
    return {"Records": [{
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": message.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": REGION,
    } for message in messages]}


class Triggers:
    def __init__(self, functions: list[Function], invoke: Invoke = run_in_process) -> None:
        """`invoke` runs a function on an event (the dev server's containers; in this process by
        default)."""
        self._functions = functions
        self._invoke = invoke
        self._sqs = boto3.session.Session().client("sqs", region_name=REGION)
        self._stop = threading.Event()
        self.streams = StreamTriggers(functions)
        self._s3 = boto3.session.Session().client("s3", region_name=REGION)
        self._seen: set[tuple[str, str, str]] = set()  # (bucket, key, ETag) already delivered

    def run_scheduled(self, function: Function) -> Any:
        return self._invoke(function, scheduled_event(function))

    def drain(self) -> int:
        """Deliver what is waiting in every subscribed queue, one batch at a time; how many messages
        were delivered."""
        return sum(self._drain_queue(function, source) for function in self._functions for source in function.queues)

    def _drain_queue(self, function: Function, source: QueueSource, wait_seconds: int = 0) -> int:
        url = os.environ[f"QUEUE_URL_{source.queue}"]
        delivered = 0
        while True:
            messages = self._sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(source.batch_size, 10),
                                                 WaitTimeSeconds=wait_seconds,
                                                 AttributeNames=["All"]).get("Messages", [])
            if not messages:
                return delivered
            delivered += len(messages)
            self._deliver(function, url, messages)
            wait_seconds = 0

    def _deliver(self, function: Function, url: str, messages: list[dict[str, Any]]) -> None:
        arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        event = sqs_event(messages, arn)
        try:
            response = self._invoke(function, event)
            failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        except Exception:  # the whole batch failed: SQS would make every message visible again
            failed = {message["MessageId"] for message in messages}
        for message in messages:
            if message["MessageId"] not in failed:
                self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def deliver_uploads(self) -> int:
        """Hand each object new in a bucket with an S3 event (or written again: a new ETag) to its
        function, once; how many were handed over. A function that fails is not retried."""
        delivered = 0
        for function in self._functions:
            for source in function.buckets:
                for bucket, key, size, etag in self._new_objects(source):
                    delivered += 1
                    try:
                        self._invoke(function, s3_event(bucket, key, size, etag))
                    except Exception as error:  # Lambda would retry twice; locally it is reported
                        print(f"local S3 trigger: {function.name} failed on {key}: {error}", flush=True)
        return delivered

    def _new_objects(self, source: BucketSource) -> list[tuple[str, str, int, str]]:
        if not any(event.startswith("s3:ObjectCreated:") for event in source.events):
            return []
        bucket = os.environ[f"BUCKET_{source.bucket}"]
        found = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=source.prefix):
            for item in page.get("Contents", []):
                seen = (bucket, item["Key"], item["ETag"])
                if item["Key"].endswith(source.suffix) and seen not in self._seen:
                    self._seen.add(seen)
                    found.append((bucket, item["Key"], item["Size"], item["ETag"]))
        return found

    def start(self, schedule_seconds: float) -> None:
        """Poll the queues, buckets and streams continuously and run scheduled functions every
        `schedule_seconds`."""
        for function in self._functions:
            for source in function.queues:
                # As Lambda's event source mapping, up to the function's reserved concurrency at once.
                for number in range(function.concurrency or 1):
                    threading.Thread(target=self._poll, args=(function, source), daemon=True,
                                     name=f"sqs-{source.queue}-{number}").start()
        threading.Thread(target=self._poll_uploads, daemon=True, name="s3-triggers").start()
        threading.Thread(target=self._tick, args=(schedule_seconds,), daemon=True, name="schedules").start()
        self.streams.start()

    def stop(self) -> None:
        self._stop.set()
        self.streams.stop()

    def _poll(self, function: Function, source: QueueSource) -> None:
        while not self._stop.is_set():
            try:
                if not self._drain_queue(function, source, wait_seconds=1):
                    time.sleep(0.2)
            except Exception as error:  # keep polling: a local stand-in must not die quietly
                print(f"local SQS trigger failed: {error}", flush=True)
                time.sleep(1)

    def _poll_uploads(self) -> None:
        while not self._stop.wait(0.3):
            try:
                self.deliver_uploads()
            except Exception as error:
                print(f"local S3 trigger failed: {error}", flush=True)
                time.sleep(1)

    def _tick(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            for function in self._functions:
                if function.schedules:
                    try:
                        print(f"schedule: {function.name} -> {json.dumps(self.run_scheduled(function))}", flush=True)
                    except Exception as error:
                        print(f"schedule: {function.name} failed: {error}", flush=True)
