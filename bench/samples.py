"""The events/ samples, filled in and varied per request, and turned back into the HTTP request
they stand for (method, target, headers, body) for the in-process API Gateway emulation."""

from __future__ import annotations

import copy
import json
from typing import Any

from local.template import ROOT

EVENTS = ROOT / "events"


def sample(name: str, **placeholders: str) -> dict[str, Any]:
    """events/<name>.json with its REPLACE_WITH_<NAME> placeholders filled (access_token=... fills
    REPLACE_WITH_ACCESS_TOKEN)."""
    text = (EVENTS / f"{name}.json").read_text(encoding="utf-8")
    for placeholder, value in placeholders.items():
        text = text.replace(f"REPLACE_WITH_{placeholder.upper()}", value)
    event: dict[str, Any] = json.loads(text)
    return event


def varied(event: dict[str, Any], *, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
           source_ip: str | None = None) -> dict[str, Any]:
    """A copy of an HTTP API event with some body fields, headers or the source IP changed."""
    event = copy.deepcopy(event)
    if body:
        event["body"] = json.dumps({**json.loads(event.get("body") or "{}"), **body})
    if headers:
        event["headers"] = {**event.get("headers", {}), **headers}
    if source_ip:
        event["requestContext"]["http"]["sourceIp"] = source_ip
    return event


def sqs_body(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of an SQS event whose (single) message body has some fields changed."""
    event = copy.deepcopy(event)
    for record in event["Records"]:
        record["body"] = json.dumps({**json.loads(record["body"]), **changes})
    return event


def as_request(event: dict[str, Any]) -> tuple[str, str, dict[str, str], bytes, str]:
    """(method, target, headers, body, source IP) of an HTTP API event."""
    http = event["requestContext"]["http"]
    target = event["rawPath"] + (f"?{event['rawQueryString']}" if event.get("rawQueryString") else "")
    body = (event.get("body") or "").encode()
    return http["method"], target, dict(event.get("headers") or {}), body, http.get("sourceIp", "127.0.0.1")
