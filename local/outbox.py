"""The dev server's outbox: every email the functions send through moto's SES v2, with both
parts (moto itself keeps only the HTML), the time it was sent and the links it carries."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

from moto.sesv2.responses import SESV2Response

_LINK = re.compile(r"https?://[^\s<>\"']+")


class Outbox:
    def __init__(self) -> None:
        self._emails: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, params: dict[str, Any]) -> None:
        simple = params.get("Content", {}).get("Simple", {})
        body = simple.get("Body", {})
        text = body.get("Text", {}).get("Data", "")
        html = body.get("Html", {}).get("Data", "")
        sent_at = datetime.fromtimestamp(time.time(), UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        for to in params.get("Destination", {}).get("ToAddresses", []):
            with self._lock:
                self._emails.append({
                    "to": to,
                    "subject": simple.get("Subject", {}).get("Data", ""),
                    "text": text,
                    "html": html,
                    "links": list(dict.fromkeys(_LINK.findall(text))),
                    "sent_at": sent_at,
                })

    def emails(self, to: str | None = None) -> list[dict[str, Any]]:
        """Newest first; `to` compares case-insensitively."""
        with self._lock:
            found = [email for email in self._emails if to is None or email["to"].lower() == to.strip().lower()]
        return list(reversed(found))

    def clear(self) -> None:
        with self._lock:
            self._emails.clear()


def capture_sesv2(outbox: Outbox) -> None:
    """Record each SES v2 SendEmail that moto accepts (it runs in this process)."""
    original = SESV2Response.send_email

    def send_email(self: SESV2Response) -> str:
        result: str = original(self)
        outbox.record(json.loads(self.body))
        return result

    SESV2Response.send_email = send_email  # type: ignore[method-assign]
