"""Work handed to a worker through SQS: the only module that talks to SQS."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handover.errors import DependencyUnavailable

_BATCH = 10  # messages per SendMessageBatch
_BATCH_BYTES = 250_000  # SQS takes 256 KiB per call, all messages together


class WorkQueue:
    def __init__(self, sqs: Any, url: str) -> None:
        self._sqs = sqs
        self._url = url

    def send(self, message: dict[str, Any]) -> None:
        try:
            self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps(message))
        except (ClientError, BotoCoreError):
            raise DependencyUnavailable() from None

    def send_many(self, messages: list[dict[str, Any]]) -> None:
        """Send every message, ten (and at most 256 KB) to a call; those SQS could not take are
        sent again once, then the whole is reported as a failed dependency."""
        bodies = [json.dumps(message, separators=(",", ":")) for message in messages]
        call: list[dict[str, str]] = []
        size = 0
        for number, body in enumerate(bodies):
            if call and (len(call) == _BATCH or size + len(body) > _BATCH_BYTES):
                self._send_batch(call)
                call, size = [], 0
            call.append({"Id": str(number), "MessageBody": body})
            size += len(body)
        if call:
            self._send_batch(call)

    def _send_batch(self, entries: list[dict[str, str]]) -> None:
        for _attempt in range(2):
            try:
                failed = {failure["Id"] for failure in self._sqs.send_message_batch(
                    QueueUrl=self._url, Entries=entries).get("Failed", [])}
            except (ClientError, BotoCoreError):
                raise DependencyUnavailable() from None
            entries = [entry for entry in entries if entry["Id"] in failed]
            if not entries:
                return
        raise DependencyUnavailable()
