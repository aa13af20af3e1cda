"""The dev server's outbox: every email the functions send through moto's SES v2, with both
parts (moto itself keeps only the HTML), the time it was sent, the links it carries and the
message id SES gave it; and, kept aside, each message's recipients and tags, which SES puts in
the delivery, bounce and complaint events it publishes about that message."""

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
        self._messages: dict[str, dict[str, Any]] = {}  # message id -> {destination, tags}
        self._lock = threading.Lock()

    def record(self, params: dict[str, Any], message_id: str) -> None:
        destination = params.get("Destination", {})
        with self._lock:
            self._messages[message_id] = {
                "destination": [address for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
                                for address in destination.get(kind, [])],
                "tags": {tag["Name"]: [tag["Value"]] for tag in params.get("EmailTags", [])},
            }
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
                    "message_id": message_id,
                })

    def emails(self, to: str | None = None) -> list[dict[str, Any]]:
        """Newest first; `to` compares case-insensitively."""
        with self._lock:
            found = [email for email in self._emails if to is None or email["to"].lower() == to.strip().lower()]
        return list(reversed(found))

    def complete_ses_event(self, event: dict[str, Any]) -> dict[str, Any]:
        """An SES event (source `aws.ses`) about a message in this outbox, with the message's
        recipients and tags (its EmailTags, `{name: [value]}`) filled in as SES would; any other
        event as it is."""
        mail = event["detail"].get("mail") if event.get("source") == "aws.ses" else None
        if not isinstance(mail, dict):
            return event
        with self._lock:
            sent = self._messages.get(mail.get("messageId"))
        if sent is not None:
            mail["destination"] = list(sent["destination"])
            mail["tags"] = {**(mail.get("tags") or {}), **sent["tags"]}
        return event

    def clear(self) -> None:
        with self._lock:
            self._emails.clear()
            self._messages.clear()


def capture_sesv2(outbox: Outbox) -> None:
    """Record each SES v2 SendEmail that moto accepts (it runs in this process)."""
    original = SESV2Response.send_email

    def send_email(self: SESV2Response) -> str:
        result: str = original(self)
        outbox.record(json.loads(self.body), json.loads(result)["MessageId"])
        return result

    SESV2Response.send_email = send_email  # type: ignore[method-assign]
