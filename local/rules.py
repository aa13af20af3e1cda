"""What EventBridge does for the functions with an EventBridgeRule event in template.yaml, done
locally (`POST /_local/events`): an event put on a bus goes, as a full event envelope, to every
function whose rule is on that bus and whose pattern matches it. Rules' buses and patterns are
resolved with the stack's parameters, as CloudFormation would resolve them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from local.aws import ACCOUNT, REGION, resolve, resolve_all
from local.bus import bus_name
from local.patterns import matches
from local.template import Function

Invoke = Callable[[Function, dict[str, Any]], Any]


class EventInvalid(ValueError):
    """A body that is not an event (or a list of events) as PutEvents would take it."""


@dataclass(frozen=True)
class Subscription:
    function: Function
    rule: str
    bus: str
    pattern: dict[str, Any]


def subscriptions(functions: list[Function], refs: dict[str, str]) -> list[Subscription]:
    return [Subscription(function, rule.name, bus_name(resolve(json.loads(rule.bus), refs) if rule.bus else None),
                         resolve_all(json.loads(rule.pattern), refs))
            for function in functions for rule in function.rules]


def envelope(event: Any) -> dict[str, Any]:
    """The event as EventBridge hands it to a target. `source`, `detail-type` and `detail` (an
    object) are required; `id`, `time`, `resources` and `event-bus-name` may be given."""
    if not isinstance(event, dict):
        raise EventInvalid("an event is a JSON object")
    for field in ("source", "detail-type"):
        if not isinstance(event.get(field), str) or not event[field]:
            raise EventInvalid(f"`{field}` is required, a non-empty string")
    if not isinstance(event.get("detail"), dict):
        raise EventInvalid("`detail` is required, a JSON object")
    for field in ("id", "time", "event-bus-name"):
        if not isinstance(event.get(field, ""), str):
            raise EventInvalid(f"`{field}` is a string")
    resources = event.get("resources", [])
    if not isinstance(resources, list) or not all(isinstance(resource, str) for resource in resources):
        raise EventInvalid("`resources` is a list of strings")
    return {"version": "0", "id": event.get("id") or str(uuid.uuid4()), "detail-type": event["detail-type"],
            "source": event["source"], "account": ACCOUNT,
            "time": event.get("time") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
            "resources": resources, "detail": event["detail"]}


class EventRouter:
    def __init__(self, subscribed: list[Subscription], invoke: Invoke,
                 prepare: Callable[[dict[str, Any]], dict[str, Any]] = lambda event: event) -> None:
        """`prepare` completes an envelope before it is matched (the outbox adds what SES knows)."""
        self._subscribed = subscribed
        self._invoke = invoke
        self._prepare = prepare

    def deliver(self, body: Any) -> dict[str, list[str]]:
        """Deliver one event or a list of them (all checked before any is delivered); which
        functions they went to, and which of those failed, in the order of delivery."""
        events = body if isinstance(body, list) else [body]
        if not events:
            raise EventInvalid("no events")
        envelopes = [self._prepare(envelope(event)) for event in events]
        delivered, failed = [], []
        for bus, event in zip((bus_name(event.get("event-bus-name")) for event in events), envelopes, strict=True):
            for subscription in self._subscribed:
                if subscription.bus == bus and matches(subscription.pattern, event):
                    delivered.append(subscription.function.name)
                    try:
                        self._invoke(subscription.function, event)
                    except Exception as error:  # Lambda would retry twice, then give up: say so
                        print(f"local rule {subscription.rule}: {subscription.function.name} failed: {error!r}",
                              flush=True)
                        failed.append(subscription.function.name)
        return {"delivered_to": delivered, "failed": failed}
