"""Part 2: AWS round trips per request, authentication included, counted on the session of a
freshly built handover runtime. Each action runs twice: the first request of a new runtime (a
cold start's, with any one-off calls; with TOKEN_PUBLIC_KEY set, verifying a token makes none)
and then a warm one, which is the figure judged against the goal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from bench.calls import Call, Recorder
from bench.samples import sample, varied
from bench.world import World, quiet, unique
from local.aws import REGION
from local.lambdas import LambdaContext, by_name, handler_of

Request = Callable[[], tuple[int, Any]]


@dataclass
class Action:
    name: str
    goal: int | None
    expected: int | str
    route: tuple[str, str] | None  # (method, path) that bills the request, for part 4
    cold: list[Call] = field(default_factory=list)
    warm: list[Call] = field(default_factory=list)
    statuses: list[int | str] = field(default_factory=list)
    clients: list[str] = field(default_factory=list)  # boto3 clients the first request built
    note: str = ""

    @property
    def ok(self) -> bool:
        return all(status == self.expected for status in self.statuses)

    @property
    def cold_extra(self) -> list[str]:
        """Calls of the first request that the warm one does not make."""
        extra = [call.operation for call in self.cold]
        for call in self.warm:
            if call.operation in extra:
                extra.remove(call.operation)
        return extra


class Counter:
    """Builds a fresh handover runtime with a recorder on its session, before any client exists."""

    def __init__(self) -> None:
        self._inspector = boto3.session.Session().client("dynamodb", region_name=REGION)
        self.recorder = Recorder(self._inspector)

    def fresh_runtime(self) -> None:
        from handover.runtime import runtime

        runtime.cache_clear()
        self.recorder = Recorder(self._inspector)
        self.recorder.attach(runtime().session)

    def run(self, request: Request) -> tuple[list[Call], int | str]:
        self.recorder.take()
        self.recorder.active = True
        try:
            status, _ = request()
        finally:
            self.recorder.active = False
        return self.recorder.take(), status


def twice(counter: Counter, action: Action, first: Request, second: Request) -> Action:
    counter.fresh_runtime()
    action.cold, cold_status = counter.run(first)
    action.clients = list(counter.recorder.clients)
    action.warm, warm_status = counter.run(second)
    action.statuses = [cold_status, warm_status]
    return action


def _without_idempotency_key(event: dict[str, Any]) -> dict[str, Any]:
    event["headers"].pop("idempotency-key", None)
    return event


def measure(world: World, progress: Callable[[str], None]) -> list[Action]:
    counter = Counter()
    owner, operator, account = world.owner_token, world.operator_token, world.account_id
    actions = []

    progress("round trips: login")
    _, email, _ = world.claimed_customer()
    login = world.customer_login_event(email)
    actions.append(twice(counter, Action("login", 3, 200, ("POST", "/v1/auth/login"),
                                          note="customer, right password"),
                          lambda: world.send(login), lambda: world.send(login)))

    progress("round trips: refresh, and an authenticated read")
    sessions = [world.send(login)[1] for _ in range(2)]
    refreshes = [sample("refresh", refresh_token=session["refresh_token"]) for session in sessions]
    actions.append(twice(counter, Action("refresh", 3, 200, ("POST", "/v1/auth/refresh"),
                                          note="customer; spends one refresh token, issues the next"),
                          *(lambda event=event: world.send(event) for event in refreshes)))
    me = sample("me", access_token=sessions[0]["access_token"])
    actions.append(twice(counter, Action("authenticated read", None, 200, None,
                                          note="GET /v1/me: the token's check is one read, ended sessions included"),
                          lambda: world.send(me), lambda: world.send(me)))

    progress("round trips: claim")
    links = [world.invited_customer()[2] for _ in range(2)]
    actions.append(twice(counter, Action("claim", 3, 200, ("POST", "/v1/auth/claim"), note="invite link"),
                          *(lambda link=link: world.send(sample("claim", link_token=link)) for link in links)))

    progress("round trips: create customer")

    def create(idempotent: bool) -> Request:
        event = varied(sample("create_customer", access_token=owner),
                       body={"email": f"{unique('trips-')}@example.com"},
                       headers={"idempotency-key": unique("trips-create-")})
        return lambda: world.send(event if idempotent else _without_idempotency_key(event))

    actions += _with_and_without_key(counter, "create customer", 201, ("POST", "/v1/customers"), create)

    progress("round trips: invite")

    def invite(idempotent: bool) -> Request:
        event = varied(sample("invite", access_token=owner, customer_id=world.create_customer()),
                       headers={"idempotency-key": unique("trips-invite-")})
        return lambda: world.send(event if idempotent else _without_idempotency_key(event))

    actions += _with_and_without_key(counter, "invite", 202, ("POST", "/v1/customers/{id}/invite"), invite)

    progress("round trips: forgot-password and its worker")
    emails = [f"{unique('forgot-')}@example.com" for _ in range(2)]
    for email in emails:
        world.create_customer(email)
    forgot = [varied(sample("forgot_password"), body={"email": email}, source_ip=f"198.51.100.{number + 1}")
              for number, email in enumerate(emails)]
    actions.append(twice(counter, Action("forgot-password", 4, 202, ("POST", "/v1/auth/password/forgot"),
                                          note="existing customer; HTTP request only"),
                          lambda: world.send(forgot[0]), lambda: world.send(forgot[1])))
    messages = _queued_messages()
    mailer = handler_of(by_name("reset_mailer"))

    def work(message: dict[str, Any]) -> Request:
        event = sample("reset_mailer")
        event["Records"][0].update(messageId=message["MessageId"], body=message["Body"])

        def run() -> tuple[int | str, Any]:
            with quiet():
                response = mailer(event, LambdaContext(function_name="ResetMailerFunction"))
            return ("failed" if response.get("batchItemFailures") else "ok"), response

        return run

    actions.append(twice(counter, Action("  its worker (reset_mailer)", None, "ok", None,
                                          note="per SQS message: sends the reset link"),
                          *(work(message) for message in messages[-2:])))

    progress("round trips: lock")
    to_lock = [world.create_customer() for _ in range(2)]
    actions.append(twice(counter, Action("lock", 3, 200, ("POST", "/v1/customers/{id}/lock"),
                                          note="staff lock a customer"),
                          *(lambda customer=customer: world.send(
                              sample("lock_customer", access_token=owner, customer_id=customer))
                            for customer in to_lock)))

    progress("round trips: login-as")
    login_as = sample("login_as", access_token=operator, account_id=account)
    actions.append(twice(counter, Action("login-as", 4, 200, ("POST", "/v1/operator/accounts/{id}/login-as"),
                                          note="operator as the owner"),
                          lambda: world.send(login_as), lambda: world.send(login_as)))

    from handover.runtime import runtime

    runtime.cache_clear()
    return actions


def _queued_messages() -> list[dict[str, Any]]:
    """What forgot-password queued, taken off the queue as the event source mapping would."""
    import os

    sqs = boto3.session.Session().client("sqs", region_name=REGION)
    url = os.environ["RESET_QUEUE_URL"]
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return found
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        found.extend(batch)


def _with_and_without_key(counter: Counter, name: str, status: int, route: tuple[str, str],
                          request: Callable[[bool], Request]) -> list[Action]:
    """The action as the sample sends it (with Idempotency-Key, judged) and without the key (information)."""
    return [
        twice(counter, Action(name, 4, status, route, note="with the sample's Idempotency-Key header"),
               request(True), request(True)),
        twice(counter, Action(f"{name}, no key", None, status, None, note="without Idempotency-Key (information)"),
               request(False), request(False)),
    ]
