"""What EventBridge, SQS and DynamoDB streams do for the functions in AWS, done locally: SQS queues
are polled and their messages handed to the function that template.yaml subscribes to them
(deleting those it does not report as failed), streams are read for the functions subscribed to
them (local/streams.py), and scheduled functions run on a tick or on demand."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3

from local.aws import ACCOUNT, REGION
from local.lambdas import LambdaContext, handler_of
from local.streams import StreamTriggers
from local.template import Function


def scheduled_event(function: Function) -> dict[str, Any]:
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ACCOUNT, "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{function.logical_id}Daily"], "detail": {},
    }


class Triggers:
    def __init__(self, functions: list[Function]) -> None:
        self._functions = functions
        self._sqs = boto3.session.Session().client("sqs", region_name=REGION)
        self._stop = threading.Event()
        self.streams = StreamTriggers(functions)

    def run_scheduled(self, function: Function) -> Any:
        return handler_of(function)(scheduled_event(function), LambdaContext(function_name=function.logical_id))

    def drain(self, wait_seconds: int = 0) -> int:
        """Deliver what is waiting in every subscribed queue; how many messages were delivered."""
        delivered = 0
        for function in self._functions:
            for queue in function.queues:
                url = os.environ[f"QUEUE_URL_{queue}"]
                while True:
                    messages = self._sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                         WaitTimeSeconds=wait_seconds,
                                                         AttributeNames=["All"]).get("Messages", [])
                    if not messages:
                        break
                    delivered += len(messages)
                    self._deliver(function, url, messages)
                    wait_seconds = 0
        return delivered

    def _deliver(self, function: Function, url: str, messages: list[dict[str, Any]]) -> None:
        arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        event = {"Records": [{
            "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
            "attributes": message.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": REGION,
        } for message in messages]}
        try:
            response = handler_of(function)(event, LambdaContext(function_name=function.logical_id))
            failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        except Exception:  # the whole batch failed: SQS would make every message visible again
            failed = {message["MessageId"] for message in messages}
        for message in messages:
            if message["MessageId"] not in failed:
                self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def start(self, schedule_seconds: float) -> None:
        """Poll the queues and streams continuously and run scheduled functions every `schedule_seconds`."""
        threading.Thread(target=self._poll, daemon=True, name="sqs-triggers").start()
        threading.Thread(target=self._tick, args=(schedule_seconds,), daemon=True, name="schedules").start()
        self.streams.start()

    def stop(self) -> None:
        self._stop.set()
        self.streams.stop()

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.drain(wait_seconds=1):
                    time.sleep(0.2)
            except Exception as error:  # keep polling: a local stand-in must not die quietly
                print(f"local SQS trigger failed: {error}", flush=True)
                time.sleep(1)

    def _tick(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            for function in self._functions:
                if function.schedules:
                    try:
                        print(f"schedule: {function.name} -> {json.dumps(self.run_scheduled(function))}", flush=True)
                    except Exception as error:
                        print(f"schedule: {function.name} failed: {error}", flush=True)
