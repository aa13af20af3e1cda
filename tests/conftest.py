"""Shared fixtures: AWS in moto (built from template.yaml), the seed data, and an API client
that calls the handlers exactly as API Gateway would."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from local.aws import REGION, create_resources
from local.bus import EventLog, capture_put_events
from local.lambdas import LambdaContext, ensure_layer_on_path, handler_of
from local.moto_patches import make_dynamodb_fast
from local.server import Gateway
from local.streams import StreamTriggers
from local.template import functions

ensure_layer_on_path()

from handover.contract.events import CustomerData, CustomerSummary, EventActor  # noqa: E402
from handover.runtime import Runtime, runtime  # noqa: E402

from local.seed import load_seed  # noqa: E402

EVENTS = Path(__file__).resolve().parent.parent / "events"
PORTAL = "https://portal.example"
DEMO_OWNER = {"realm": "staff", "account": "demo", "email": "owner@demo.example", "password": "Owner-Passw0rd!"}
DEMO_FRONTDESK = {"realm": "staff", "account": "demo", "email": "frontdesk@demo.example",
                  "password": "Frontdesk-Passw0rd!"}
CLINIC_OWNER = {"realm": "staff", "account": "clinic", "email": "owner@clinic.example", "password": "Clinic-Passw0rd!"}
GOOD_PASSWORD = "Sunny-Harbour-42"

_STARTED = pytest.StashKey[float]()
_BUS = EventLog()  # every event moto's EventBridge accepts, this test's since the `aws` fixture began
capture_put_events(_BUS)
_outbox_stream: list[StreamTriggers] = []  # this test's reader of the outbox stream (it remembers its place)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
                        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    make_dynamodb_fast()
    with mock_aws():
        environment = create_resources(boto3.session.Session(), {"PortalUrl": PORTAL})
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        runtime.cache_clear()
        _BUS.clear()
        _outbox_stream[:] = [StreamTriggers(functions())]
        yield environment
        runtime.cache_clear()


@pytest.fixture
def rt(aws: dict[str, str]) -> Runtime:
    return runtime()


@pytest.fixture
def seeded(rt: Runtime) -> Runtime:
    load_seed(rt)
    return rt


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str | None:
        return self.json().get("code") if self.headers.get("content-type", "").endswith("json") else None


class Api:
    """Calls the handlers through the same API Gateway emulation as the dev server."""

    def __init__(self) -> None:
        self.gateway = Gateway(functions())

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> Reply:
        sent = {"content-type": "application/json", **(headers or {})}
        if token:
            sent["authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        status, out_headers, out_body = self.gateway.invoke(method, path, sent, data)
        return Reply(status, out_headers, out_body)

    def login(self, credentials: dict[str, str]) -> str:
        reply = self.call("POST", "/v1/auth/login", credentials)
        assert reply.status == 200, reply.body
        token: str = reply.json()["access_token"]
        return token

    def account_id(self, nickname: str) -> str:
        account = runtime().directory.accounts.by_nickname(nickname)
        assert account is not None
        return account.id

    def claimed_customer(self, owner: str, email: str = "jane.doe@example.com",
                         password: str = GOOD_PASSWORD, **fields: Any) -> tuple[dict[str, Any], str]:
        """A customer created, invited and claimed; with the token the claim gave them."""
        customer = self.create_customer(owner, email, **fields)
        assert self.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202
        reply = self.call("POST", "/v1/auth/claim", {"token": last_link_token(email), "password": password})
        assert reply.status == 200, reply.body
        token: str = reply.json()["access_token"]
        return customer, token

    def customer(self, token: str, customer_id: str) -> dict[str, Any]:
        """The customer as staff see them (GET /v1/customers/{id})."""
        reply = self.call("GET", f"/v1/customers/{customer_id}", token=token)
        assert reply.status == 200, reply.body
        customer: dict[str, Any] = reply.json()["customer"]
        return customer

    def create_customer(self, token: str, email: str = "jane.doe@example.com", **fields: Any) -> dict[str, Any]:
        reply = self.call("POST", "/v1/customers",
                          {"email": email, "first_name": "Jane", "last_name": "Doe", **fields}, token=token)
        assert reply.status == 201, reply.body
        customer: dict[str, Any] = reply.json()["customer"]
        return customer


@pytest.fixture
def api(seeded: Runtime) -> Api:
    return Api()


OPERATOR = {"realm": "operator", "email": "operator@example.com", "password": "Operator-Passw0rd!"}
HELPDESK = {"realm": "operator", "email": "helpdesk@example.com", "password": "Helpdesk-Passw0rd!"}


def deliver_queued_work() -> int:
    """Hand queued SQS messages to their workers, as the Lambda event source mapping would."""
    from local.triggers import Triggers

    return Triggers(functions()).drain()


def publish_outbox() -> int:
    """Hand what the outbox stream holds beyond the last call to the publisher, in this process, as
    the stream's event source mapping would (a failed record is handed over again on the next
    call); how many records were handed over."""
    assert _outbox_stream, "publish_outbox() needs the aws fixture"
    return _outbox_stream[0].drain()


def published_events(detail_type: str | None = None) -> list[dict[str, Any]]:
    """What reached Handover's bus, oldest first: `{id, source, detail-type, detail, time, bus}`
    (`id` is EventBridge's; `detail.id` is the event's own)."""
    return _BUS.events(detail_type, bus=os.environ["EVENT_BUS_NAME"])


EVENT_ACTOR = EventActor(realm="staff", id="S1", email="owner@demo.example")


def claimed_event_data(number: int) -> CustomerData:
    return CustomerData(customer=CustomerSummary(id=f"C{number}", email=f"c{number}@example.com", first_name="Jane",
                                                 last_name=f"Doe {number}", status="active"))


def raise_events(count: int, start: int = 0) -> list[str]:
    """`count` customer.claimed events, each in a transaction of its own as actions raise them; their ids."""
    rt = runtime()
    ids = []
    for number in range(start, start + count):
        write = rt.outbox.event("customer.claimed", account_id="A1", actor=EVENT_ACTOR, data=claimed_event_data(number))
        rt.dynamo.transact([write])
        ids.append(write.key_or_item["id"])
    return ids


def sent_emails() -> list[dict[str, Any]]:
    """What moto's SES accepted, oldest first (moto keeps the HTML part only)."""
    from moto.ses.models import ses_backends

    return [{"to": message.destinations["ToAddresses"][0], "subject": message.subject, "html": message.body}
            for message in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages]


def last_link_token(to: str) -> str:
    for email in reversed(sent_emails()):
        if email["to"] == to:
            found = re.search(r"token=([A-Za-z0-9_-]+)", email["html"])
            assert found, email
            return found.group(1)
    raise AssertionError(f"no email to {to}")


def failing(operation: str) -> Any:
    """Stands for an AWS client method while its service is down."""

    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "InternalFailure", "Message": "the service is down"}}, operation)

    return fail


def platform_event(detail_type: str, detail: dict[str, Any], event_id: str = "e-1") -> dict[str, Any]:
    """A platform event as EventBridge hands it to the function (a full envelope)."""
    return {"version": "0", "id": event_id, "detail-type": detail_type, "source": "platform",
            "account": "123456789012", "time": "2026-11-18T10:16:40Z", "region": REGION, "resources": [],
            "detail": detail}


def add_booking(account_id: str, email: str, booking_id: str, created_at: str, holder_id: str | None = None) -> None:
    """A booking made with `email`, as the platform's `booking.created` brings it; `holder_id` is the
    customer expected to hold that email as it comes (None: nobody), which is checked."""
    from handover.data.bookings import own_shelf

    rt = runtime()
    outcome = rt.platform_events.receive(platform_event("booking.created", {
        "account_id": account_id, "booking_id": booking_id, "email": email, "reference": f"R-{booking_id}",
        "created_at": created_at}))
    assert outcome.result == "recorded", outcome
    receipt = rt.directory.bookings.receipt(account_id, booking_id)
    assert receipt is not None and receipt.filed_pk is not None
    if holder_id:
        assert receipt.filed_pk == own_shelf(account_id, holder_id), "the booking went to someone else"
    else:
        assert "#UNHELD#" in receipt.filed_pk, "the booking went to a customer"


def sample_event(name: str, body: Any = None, **placeholders: str) -> dict[str, Any]:
    """An events/ sample with its REPLACE_WITH_* placeholders filled in."""
    text = (EVENTS / f"{name}.json").read_text()
    for placeholder, value in placeholders.items():
        text = text.replace(f"REPLACE_WITH_{placeholder.upper()}", value)
    event: dict[str, Any] = json.loads(text)
    if body is not None:
        event["body"] = json.dumps(body)
    return event


def invoke(function_name: str, event: dict[str, Any]) -> dict[str, Any]:
    function = next(f for f in functions() if f.name == function_name)
    response: dict[str, Any] = handler_of(function)(event, LambdaContext(function_name=function.logical_id))
    return response


@pytest.fixture
def calls(seeded: Runtime) -> Iterator[list[str]]:
    """Every call the service makes to DynamoDB, KMS and SES, by name, from now on."""
    made: list[str] = []

    def record(model: Any, **_: Any) -> None:
        made.append(model.name)

    clients = [seeded.dynamo._client, seeded.signer._kms, seeded.mailer._ses]
    for client in clients:
        client.meta.events.register("before-call", record)
    yield made
    for client in clients:
        client.meta.events.unregister("before-call", record)


@dataclass(frozen=True)
class SentMail:
    """One SendEmail as the service made it (moto keeps neither the configuration set nor the tags)."""

    to: str
    configuration_set: str | None
    tags: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def mail(seeded: Runtime) -> Iterator[list[SentMail]]:
    """Every email the service sends from now on, with its configuration set and tags, oldest first."""
    sent: list[SentMail] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(SentMail(params["Destination"]["ToAddresses"][0], params.get("ConfigurationSetName"),
                             {tag["Name"]: tag["Value"] for tag in params.get("EmailTags", [])}))

    events = seeded.mailer._ses.meta.events
    events.register("before-parameter-build.sesv2.SendEmail", record)
    yield sent
    events.unregister("before-parameter-build.sesv2.SendEmail", record)


def ses_event(kind: Literal["delivery", "bounce", "complaint"], sent: SentMail, *, bounce_type: str = "Permanent",
              event_id: str | None = None) -> dict[str, Any]:
    """What SES would publish to EventBridge about `sent` (from the events/ses_<kind>.json sample)."""
    event: dict[str, Any] = json.loads((EVENTS / f"ses_{kind}.json").read_text())
    detail = event["detail"]
    detail["mail"]["destination"] = [sent.to]
    detail["mail"]["tags"] = {"ses:configuration-set": [sent.configuration_set or "none"],
                              **{name: [value] for name, value in sent.tags.items()}}
    if kind == "delivery":
        detail["delivery"]["recipients"] = [sent.to]
    elif kind == "bounce":
        detail["bounce"]["bounceType"] = bounce_type
        detail["bounce"]["bounceSubType"] = "General"
        detail["bounce"]["bouncedRecipients"][0]["emailAddress"] = sent.to
    else:
        detail["complaint"]["complainedRecipients"][0]["emailAddress"] = sent.to
    if event_id:
        event["id"] = event_id
    return event


def deliver_ses_event(event: Any) -> dict[str, Any]:
    """Hand one event to the delivery events function, as the EventBridge rule would."""
    return invoke("delivery_events", event)


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_STARTED] = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where the hosted pages' browser tests (tests/e2e) left their screenshots (360 and 1280 px
    wide), when this run took them."""
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts" / "pages"
    started = terminalreporter.config.stash.get(_STARTED, 0.0)
    if artifacts.is_dir() and any(shot.stat().st_mtime >= started for shot in artifacts.iterdir()):
        terminalreporter.write_line(f"hosted pages' screenshots: {artifacts}")
