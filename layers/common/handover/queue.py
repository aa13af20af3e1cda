"""Work handed to a worker through SQS: the only module that talks to SQS."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handover.errors import DependencyUnavailable


class WorkQueue:
    def __init__(self, sqs: Any, url: str) -> None:
        self._sqs = sqs
        self._url = url

    def send(self, message: dict[str, Any]) -> None:
        try:
            self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps(message))
        except (ClientError, BotoCoreError):
            raise DependencyUnavailable() from None
