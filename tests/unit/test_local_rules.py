"""`POST /_local/events` behind the HTTP: EventBridgeRule events of template.yaml (here a fragment
added to it) get the events their bus and pattern match, as full envelopes, and SES events about
a message in the outbox carry that message's recipients and tags, as SES would send them."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

import local.template
from local.aws import references
from local.outbox import Outbox
from local.rules import EventInvalid, EventRouter, subscriptions
from local.template import Function, functions, parse, template

FRAGMENT = """
BookingsFunction:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: functions/bookings/
    Events:
      Bookings:
        Type: EventBridgeRule
        Properties:
          EventBusName: !Ref PlatformEventBusName
          Pattern:
            source: [!Ref PlatformEventSource]
            detail-type: [booking.created, booking.cancelled]
BouncesFunction:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: functions/bounces/
    Events:
      Delivery:
        Type: EventBridgeRule
        Properties:
          Pattern:
            source: [aws.ses]
            detail-type: [{anything-but: Email Sent}]
            detail:
              mail:
                tags:
                  kind: [{prefix: inv}]
"""
PARAMETERS = {"PlatformEventBusName": "platform-bus", "PlatformEventSource": "platform.test"}
BOOKING = {"source": "platform.test", "detail-type": "booking.created", "event-bus-name": "platform-bus",
           "detail": {"account_id": "A1", "booking_id": "B1", "email": "jane@example.com"}}


@pytest.fixture
def subscribed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Function]]:
    """The fragment's two functions, read as the template's own are (the template's real rules,
    which subscribe to the same events, are left out so that only the fragment's are judged)."""
    fragment = parse(FRAGMENT)
    with_fragment = copy.deepcopy(template())
    with_fragment["Resources"].update(fragment)
    monkeypatch.setattr(local.template, "template", lambda: with_fragment)
    yield [function for function in functions() if function.rules and function.logical_id in fragment]


class Recorder:
    def __init__(self, failing: str | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failing = failing

    def __call__(self, function: Function, event: dict[str, Any]) -> Any:
        self.calls.append((function.name, event))
        if function.name == self.failing:
            raise RuntimeError("the handler failed")
        return None


def router(functions_with_rules: list[Function], invoke: Recorder, outbox: Outbox | None = None) -> EventRouter:
    return EventRouter(subscriptions(functions_with_rules, references(PARAMETERS)), invoke,
                       (outbox or Outbox()).complete_ses_event)


def test_an_event_reaches_the_rules_its_bus_and_pattern_match_as_a_full_envelope(subscribed: list[Function]) -> None:
    # Given the booking rule on the platform bus (both named by the stack's parameters)
    invoke = Recorder()

    # When a booking event is put on that bus, on the default bus, and from another source
    answers = [router(subscribed, invoke).deliver(event) for event in (
        BOOKING, {**BOOKING, "event-bus-name": "default"}, {**BOOKING, "source": "platform"},
        {**BOOKING, "event-bus-name": "arn:aws:events:eu-west-1:123456789012:event-bus/platform-bus"})]

    # Then only the events on the platform bus from the platform's source reached the function, as EventBridge
    # hands an event to its target
    assert answers == [{"delivered_to": ["bookings"], "failed": []}, {"delivered_to": [], "failed": []},
                       {"delivered_to": [], "failed": []}, {"delivered_to": ["bookings"], "failed": []}]
    assert [name for name, _ in invoke.calls] == ["bookings", "bookings"]
    event = invoke.calls[0][1]
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
    assert (event["version"], event["account"], event["region"], event["resources"]) == (
        "0", "123456789012", "eu-west-1", [])
    assert (event["source"], event["detail-type"], event["detail"]) == (
        BOOKING["source"], BOOKING["detail-type"], BOOKING["detail"])
    assert event["id"] and event["time"].endswith("Z") and invoke.calls[1][1]["id"] != event["id"]


def test_a_list_is_delivered_in_order_and_a_failing_function_is_named(subscribed: list[Function]) -> None:
    # Given a function that fails
    invoke = Recorder(failing="bookings")

    # When two events go in one request, each with an id and time of its own
    answer = router(subscribed, invoke).deliver([
        {**BOOKING, "detail-type": "booking.cancelled", "id": "given-id", "time": "2026-12-01T00:00:00Z"},
        {**BOOKING, "detail-type": "payment.received"}])

    # Then the matching one was delivered with the id and time it came with, and its failure is reported
    assert answer == {"delivered_to": ["bookings"], "failed": ["bookings"]}
    assert [(event["id"], event["time"]) for _, event in invoke.calls] == [("given-id", "2026-12-01T00:00:00Z")]


@pytest.mark.parametrize("body", [
    "booking.created", [], [BOOKING, "not an event"], {**BOOKING, "source": ""}, {**BOOKING, "detail-type": None},
    {**BOOKING, "detail": "text"}, {key: value for key, value in BOOKING.items() if key != "detail"},
    {**BOOKING, "resources": "arn"}, {**BOOKING, "event-bus-name": 7},
])
def test_a_body_that_is_not_an_event_delivers_nothing(subscribed: list[Function], body: Any) -> None:
    # When something that is not an event (or a list of them) is posted
    invoke = Recorder()
    with pytest.raises(EventInvalid):
        router(subscribed, invoke).deliver(body)

    # Then nothing was delivered, not even the valid event beside it
    assert invoke.calls == []


def test_an_ses_event_about_a_sent_email_carries_its_recipients_and_tags(subscribed: list[Function]) -> None:
    # Given an email sent with tags, as SES v2 SendEmail is asked
    outbox = Outbox()
    outbox.record({"Destination": {"ToAddresses": ["jane@example.com"], "BccAddresses": ["audit@example.com"]},
                   "Content": {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hi"}}}},
                   "EmailTags": [{"Name": "kind", "Value": "invite"}, {"Name": "link", "Value": "L1"}]}, "msg-1")
    invoke = Recorder()
    bounce = {"source": "aws.ses", "detail-type": "Email Bounced",
              "detail": {"eventType": "Bounce", "mail": {"messageId": "msg-1", "tags": {"ses:source-ip": ["1.2.3.4"]}},
                         "bounce": {"bounceType": "Permanent"}}}

    # When SES's bounce event about it is posted, and one about a message the outbox never sent
    sent = router(subscribed, invoke, outbox).deliver(bounce)
    unknown = router(subscribed, invoke, outbox).deliver({**bounce, "detail": {"mail": {"messageId": "msg-2"}}})

    # Then the outbox shows the message id, and the bounce reached the rule on the tags SES would have put in it
    assert outbox.emails()[0]["message_id"] == "msg-1"
    assert (sent, unknown) == ({"delivered_to": ["bounces"], "failed": []}, {"delivered_to": [], "failed": []})
    mail = invoke.calls[0][1]["detail"]["mail"]
    assert mail["destination"] == ["jane@example.com", "audit@example.com"]
    assert mail["tags"] == {"ses:source-ip": ["1.2.3.4"], "kind": ["invite"], "link": ["L1"]}
