"""The dev server's events over HTTP: what reaches Handover's bus through the outbox stream, listed
at `GET /_local/events`; and `POST /_local/events`, EventBridge's delivery to the rules of
template.yaml. The events written here have a detail type of their own, which no action raises."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import boto3
import pytest
from handover.data.dynamo import Dynamo
from handover.data.outbox import OutboxRecord, OutboxStore

from local.aws import REGION, STACK
from tests.e2e.conftest import Http

pytestmark = pytest.mark.e2e

PROBE = "e2e.probe"
OWNER = {"realm": "staff", "account": "demo", "email": "owner@demo.example", "password": "Owner-Passw0rd!"}


def write_to_outbox(server: Http, number: int) -> str:
    """An outbox item written straight into the dev server's DynamoDB (its endpoint is in the banner)."""
    found = re.search(r"AWS \(moto\)\s+(\S+)", server.banner)
    assert found, server.banner
    client = boto3.client("dynamodb", endpoint_url=found.group(1), region_name=REGION, aws_access_key_id="local",
                          aws_secret_access_key="local")
    event_id = str(uuid.uuid4())
    now = int(time.time())
    Dynamo(client).transact([OutboxStore(f"{STACK}-OutboxTable").add(OutboxRecord(
        id=event_id, detail_type=PROBE, detail=json.dumps({"id": event_id, "number": number}), created_at=now,
        expires_ttl=now + 60))])
    return event_id


def listed(server: Http, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    """The probes on the bus once there are `count` of them (the stream is polled a few times a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = server.call("GET", f"/_local/events?detail_type={PROBE}").json()
        if len(events) >= count:
            return list(events)
        time.sleep(0.1)
    raise AssertionError(f"{count} {PROBE} events were not on the bus within {timeout} s")


def test_outbox_items_reach_the_bus_and_are_listed_newest_first(dev_server: Http) -> None:
    # Given two items written to the outbox, one after the other
    first = write_to_outbox(dev_server, 1)
    second = write_to_outbox(dev_server, 2)

    # When the events on Handover's bus are listed, by detail type and all of them
    probes = listed(dev_server, 2)
    everything = dev_server.call("GET", "/_local/events").json()
    other_type = dev_server.call("GET", "/_local/events?detail_type=customer.nothing").json()

    # Then both are there, newest first, each once, as EventBridge took them from the publisher
    assert [event["detail"]["id"] for event in probes] == [second, first]
    assert [event["detail"] for event in probes] == [{"id": second, "number": 2}, {"id": first, "number": 1}]
    for event in probes:
        assert set(event) == {"id", "source", "detail-type", "detail", "time", "bus"}
        assert (event["source"], event["detail-type"], event["bus"]) == ("handover", PROBE, f"{STACK}-events")
        assert event["id"] not in (first, second) and event["time"].endswith("Z")
    assert {first, second} <= {event["detail"]["id"] for event in everything}
    assert other_type == []
    assert "/_local/events" in dev_server.banner


def test_a_posted_event_is_delivered_to_the_rules_it_matches(dev_server: Http) -> None:
    # Given an event no rule of the template matches, alone and in a list
    event = {"source": "e2e.nobody", "detail-type": "nothing.happened", "detail": {"at": "now"}}

    # When it is posted
    one = dev_server.call("POST", "/_local/events", event)
    several = dev_server.call("POST", "/_local/events", [event, {**event, "event-bus-name": "default"}])

    # Then it is accepted and went nowhere, and nothing posted lands on Handover's own bus
    assert (one.status, one.json()) == (202, {"delivered_to": [], "failed": []})
    assert (several.status, several.json()) == (202, {"delivered_to": [], "failed": []})
    assert dev_server.call("GET", "/_local/events?detail_type=nothing.happened").json() == []


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"source": "x", "detail": {}}',
                                  b'{"source": "x", "detail-type": "y", "detail": [1]}'])
def test_a_body_that_is_not_an_event_is_a_400_problem(dev_server: Http, body: bytes) -> None:
    # When something that is not an EventBridge event is posted
    refused = dev_server.call("POST", "/_local/events", raw=body)

    # Then it is a problem+json 400 that says why
    assert (refused.status, refused.headers["content-type"]) == (400, "application/problem+json")
    problem = refused.json()
    assert (problem["status"], problem["code"]) == (400, "event_invalid") and problem["detail"]


def test_the_outbox_shows_each_email_s_ses_message_id(dev_server: Http) -> None:
    # Given an invited customer
    owner = dev_server.call("POST", "/v1/auth/login", OWNER).json()["access_token"]
    customer = dev_server.call("POST", "/v1/customers", {"email": "events.e2e@example.com", "first_name": "Eve",
                                                         "last_name": "Vents"}, token=owner).json()["customer"]
    assert dev_server.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202

    # When the outbox is read; Then the email carries the message id SES gave it, for SES events to name
    [email] = dev_server.call("GET", "/_local/outbox?to=events.e2e@example.com").json()
    assert re.fullmatch(r"[\w-]+", email["message_id"])
    bounce = {"source": "aws.ses", "detail-type": "Email Bounced",
              "detail": {"eventType": "Bounce", "mail": {"messageId": email["message_id"]},
                         "bounce": {"bounceType": "Permanent"}}}
    assert dev_server.call("POST", "/_local/events", bounce).status == 202
