"""Part 8: bulk jobs.

- In this process (moto in-process): the import worker and the invite worker on the batches their
  jobs queued, as Lambda's event source mapping hands them over (one message of 100 rows or
  customers per invocation). Their own time per row is the handler's time less the time spent in
  AWS calls (each call from botocore's `before-call` to its `after-call`, moto's work included), so
  SES is excluded with every other call; and the DynamoDB round trips per row. Goal: under 20 ms
  of own time per row and per invite.
- Through the dev server (`python -m local.server`, moto's server, four workers at once): 500
  customers imported and found through the directory; an import of 20,000 more rows from a CSV,
  rows per second from the 202 to `done`; then a bulk invite of the 500 at a configured send rate,
  and the rate measured from the emails' send times: the emails over the whole seconds they span
  (the limiter's windows), never above the configured rate, and the most sent in any one second.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from bench.world import DEMO_OWNER, World, quiet
from local import background
from local.background import HttpReply, finished
from local.lambdas import LambdaContext, by_name, handler_of
from local.triggers import sqs_event

GOAL_MS = 20.0
WORKER_ROWS = 1000  # rows imported and customers invited in this process
SERVER_ROWS = 20_000  # rows of the import through the dev server
SERVER_INVITES = 500
SEND_RATE = 25  # EmailSendRate of the dev server run


@dataclass
class WorkerFigures:
    name: str  # "import worker", "invite worker"
    unit: str  # "row", "invite"
    units: int = 0
    own_ms: list[float] = field(default_factory=list)  # per unit, one figure per batch
    aws_ms: list[float] = field(default_factory=list)
    dynamodb_calls: int = 0
    other_calls: Counter[str] = field(default_factory=Counter)

    @property
    def own_median(self) -> float:
        return statistics.median(self.own_ms)

    @property
    def trips_per_unit(self) -> float:
        return self.dynamodb_calls / self.units


@dataclass
class ServerFigures:
    rows: int
    import_seconds: float
    invites: int
    configured_rate: int
    spanned_seconds: int  # whole seconds from the first email's to the last's, both counted
    peak_per_second: int
    import_status: str
    invite_status: str

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.import_seconds

    @property
    def measured_rate(self) -> float:
        return self.invites / self.spanned_seconds


@dataclass
class JobFigures:
    workers: list[WorkerFigures]
    server: ServerFigures


class _AwsClock:
    """Time spent in AWS calls, and the calls by service, from the events of a fresh runtime's
    session (hooked before any client exists: each client copies the session's events)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls: Counter[str] = Counter()

    @contextmanager
    def attached(self) -> Iterator[_AwsClock]:
        from handover.runtime import runtime

        runtime.cache_clear()
        session = runtime().session
        session.register("before-call", self._before)
        session.register("after-call", self._after)
        try:
            yield self
        finally:
            runtime.cache_clear()

    def _before(self, context: dict[str, Any], model: Any, **_: Any) -> None:
        context["bench_started"] = time.perf_counter()
        self.calls[model.service_model.service_name] += 1

    def _after(self, context: dict[str, Any], **_: Any) -> None:
        self.seconds += time.perf_counter() - context.pop("bench_started", time.perf_counter())

    def take(self) -> tuple[float, Counter[str]]:
        taken = (self.seconds, self.calls)
        self.seconds, self.calls = 0.0, Counter()
        return taken


def _work_off(function_name: str, figures: WorkerFigures) -> None:
    """Hand each message queued for the function to it, one per invocation, timed."""
    import boto3

    function = by_name(function_name)
    handler = handler_of(function)
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=_queue_name(function.queues[0].queue))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    clock = _AwsClock()
    with clock.attached():
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", []):
            body = json.loads(messages[0]["Body"])
            units = len(body.get("rows") or body["customers"])
            clock.take()
            with quiet():
                started = time.perf_counter()
                response = handler(sqs_event(messages, arn), LambdaContext(function_name=function.logical_id))
                elapsed = time.perf_counter() - started
            aws_seconds, calls = clock.take()
            if response and response.get("batchItemFailures"):
                raise RuntimeError(f"{function_name}: a batch failed: {response}")
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
            figures.units += units
            figures.own_ms.append((elapsed - aws_seconds) * 1000 / units)
            figures.aws_ms.append(aws_seconds * 1000 / units)
            figures.dynamodb_calls += calls.pop("dynamodb", 0)
            figures.other_calls.update(calls)


def _queue_name(logical_id: str) -> str:
    import os

    return os.environ[f"QUEUE_URL_{logical_id}"].rsplit("/", 1)[-1]


def measure_workers(world: World, progress: Callable[[str], None]) -> list[WorkerFigures]:
    """Import WORKER_ROWS customers, then invite them, each worker timed batch by batch."""
    from handover.runtime import runtime

    if runtime().settings.email_send_rate < WORKER_ROWS:
        raise RuntimeError("part 8 needs EMAIL_SEND_RATE >= 1000 in this process: the workers' time, not the pace")
    tag = f"w{time.time_ns():x}"
    rows = [{"email": f"{tag}-{n}@bulk.example", "first_name": "Wor", "last_name": f"Ker {n}"}
            for n in range(WORKER_ROWS)]
    progress(f"jobs: the import worker on {WORKER_ROWS} rows, in this process")
    world.expect(202, world.call("POST", "/v1/customers/imports", {"rows": rows}, token=world.owner_token), "import")
    imports = WorkerFigures("import worker", "row")
    _work_off("import_worker", imports)
    progress(f"jobs: the invite worker on {WORKER_ROWS} customers, in this process")
    ids = [customer["id"] for customer in _found(
        lambda path: world.expect(200, world.call("GET", path, token=world.owner_token), "directory"), tag)]
    world.expect(202, world.call("POST", "/v1/customers/invites", {"ids": ids}, token=world.owner_token), "invite")
    invites = WorkerFigures("invite worker", "invite")
    _work_off("invite_worker", invites)
    return [imports, invites]


def _found(listed: Callable[[str], dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """Every customer the directory finds for `query`, page by page (`listed`: a GET's JSON body)."""
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = listed(f"/v1/customers?q={query}&limit=100{cursor}")
        found += page["items"]
        if not page["next_cursor"]:
            return found
        cursor = f"&cursor={page['next_cursor']}"


def _imported(server: background.Http, owner: str, rows: str) -> dict[str, Any]:
    """The job of an import of `rows` (CSV lines of email, first and last name), once it ended."""
    reply = server.call("POST", "/v1/customers/imports", raw=f"email,first_name,last_name\n{rows}".encode(),
                        token=owner, headers={"content-type": "text/csv"})
    if reply.status != 202:
        raise RuntimeError(f"import: HTTP {reply.status} {reply.body[:300]!r}")
    return finished(server, owner, reply.json()["job"]["id"], timeout=3600, every=1.0)


def _patiently(call: Callable[[], HttpReply], wanted: int = 200, attempts: int = 40) -> HttpReply:
    """A request to a dev server busy with an import, or with publishing its events after it (moto
    serves one DynamoDB call at a time, and a request may time out waiting: 503), tried again for
    up to about 20 minutes."""
    failure = ""
    for _attempt in range(attempts):
        try:
            reply = call()
        except OSError as error:  # timed out
            failure = str(error)
        else:
            if reply.status == wanted:
                return reply
            failure = f"HTTP {reply.status} {reply.body[:300]!r}"
        time.sleep(2)
    raise RuntimeError(failure)


def measure_server(progress: Callable[[str], None]) -> ServerFigures:
    """An import of SERVER_ROWS rows, then a bulk invite of SERVER_INVITES customers at SEND_RATE,
    on a dev server of their own. The customers to invite are imported and found first, while the
    directory is small, so finding them does not hang on moto's speed with a large table (before
    local.moto_patches gave a Query only the items it can match, a search after the big import
    took longer than a function's 5-second read timeout: 503)."""
    with background.dev_server(f"EmailSendRate={SEND_RATE}") as server:
        owner = server.call("POST", "/v1/auth/login", DEMO_OWNER).json()["access_token"]
        tag = f"s{time.time_ns():x}"
        ours = f"-{tag}@bulk.example"
        invitees = _imported(server, owner, "".join(f"inv-{n}{ours},Ser,Ver {n}\n" for n in range(SERVER_INVITES)))
        if invitees["created"] != SERVER_INVITES:
            raise RuntimeError(f"the import of the customers to invite: {invitees}")
        ids = [customer["id"] for customer in _found(
            lambda path: _patiently(partial(server.call, "GET", path, token=owner)).json(), "inv-")]
        if len(ids) != SERVER_INVITES:
            raise RuntimeError(f"{len(ids)} customers found of the {SERVER_INVITES} imported to invite")

        rows = "".join(f"{tag}-{n}{ours},Ser,Ver {n}\n" for n in range(SERVER_ROWS))
        progress(f"jobs: an import of {SERVER_ROWS} rows ({len(rows) / 1e6:.1f} MB) through the dev server")
        started = time.perf_counter()
        imported = _imported(server, owner, rows)
        import_seconds = time.perf_counter() - started
        progress(f"jobs: {SERVER_ROWS} rows imported in {import_seconds:.0f} s"
                 f" ({SERVER_ROWS / import_seconds:.1f} rows/s), job {imported['status']}")

        progress(f"jobs: a bulk invite of {SERVER_INVITES} customers at EmailSendRate={SEND_RATE}")
        reply = _patiently(lambda: server.call("POST", "/v1/customers/invites", {"ids": ids[:SERVER_INVITES]},
                                               token=owner), 202)
        invited = finished(server, owner, reply.json()["job"]["id"], timeout=600, every=1.0)
        sent = [datetime.fromisoformat(email["sent_at"].replace("Z", "+00:00")).timestamp()
                for email in server.call("GET", "/_local/outbox").json() if email["to"].endswith(ours)]
    per_second = Counter(math.floor(at) for at in sent)
    return ServerFigures(rows=SERVER_ROWS, import_seconds=import_seconds, invites=len(sent),
                         configured_rate=SEND_RATE,
                         spanned_seconds=math.floor(max(sent)) - math.floor(min(sent)) + 1 if sent else 1,
                         peak_per_second=max(per_second.values(), default=0),
                         import_status=f"{imported['status']} {imported['created']}/{imported['total']}",
                         invite_status=f"{invited['status']} {invited['sent']}/{invited['total']}")


def table(figures: JobFigures) -> str:
    from bench.report import table as draw

    rows: list[list[object]] = []
    for worker in figures.workers:
        others = ", ".join(f"{service} {count / worker.units:.2f}"
                           for service, count in sorted(worker.other_calls.items()))
        rows.append([worker.name, worker.units, f"{worker.own_median:.1f} ms",
                     f"{min(worker.own_ms):.1f}-{max(worker.own_ms):.1f}", f"{statistics.median(worker.aws_ms):.1f} ms",
                     f"{worker.trips_per_unit:.2f}", others or "-"])
    server = figures.server
    return "\n".join([
        draw("PART 8a: the job workers' own time per row, in this process (batches of 100)",
             ["worker", "rows", "own / row", "range", "in AWS / row", "DynamoDB trips / row", "other calls / row"],
             rows, [f"own time = handler time less AWS calls (moto's work inside them); goal < {GOAL_MS:.0f} ms"]),
        draw("PART 8b: through the dev server", ["figure", "measured", "note"], [
            ["import of a CSV", f"{server.rows_per_second:.0f} rows/s",
             f"{server.rows} rows in {server.import_seconds:.0f} s, job {server.import_status}"],
            ["bulk invite: send rate", f"{server.measured_rate:.1f} /s",
             f"{server.invites} emails over {server.spanned_seconds} s; configured {server.configured_rate}/s;"
             f" job {server.invite_status}"],
            ["bulk invite: most in one second", server.peak_per_second, f"configured {server.configured_rate}"],
        ])])


def summary_rows(figures: JobFigures) -> list[list[str]]:
    from bench.report import verdict

    rows = [[f"jobs: {worker.name} own time per {worker.unit}", f"{worker.own_median:.1f} ms", f"< {GOAL_MS:.0f} ms",
             verdict(worker.own_median < GOAL_MS)] for worker in figures.workers]
    server = figures.server
    rows.append(["jobs: import rows per second (dev server)", f"{server.rows_per_second:.0f}", "(information)", ""])
    rows.append(["jobs: send rate measured vs configured", f"{server.measured_rate:.1f} /s",
                 f"<= {server.configured_rate} /s", verdict(server.measured_rate <= server.configured_rate)])
    return rows
