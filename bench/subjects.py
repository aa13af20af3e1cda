"""The functions and baselines part 1 starts cold, each with the events its runs serve."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.pages import always, page_events
from bench.samples import sample, sqs_body, varied
from bench.world import World, unique
from local.template import Function, functions

# Measured runs per function (median), after one warm-up round that is not counted (BENCH_ROUNDS: fewer, faster).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BASELINE_DIR = Path(__file__).with_name("baseline")
# The sample that stands for a function with several routes.
SAMPLE_OF = {"reset": "forgot_password", "lock": "lock_customer", "platform_events": "platform_booking_created",
             "staff": "list_staff", "manage_staff": "add_staff", "delivery_events": "ses_delivery"}

Events = Callable[[int], dict[str, Any]]  # the event of the i-th run: 0..RUNS-1
RUNS = 4 * (ROUNDS + 1)  # per round: a plain cold start, and SnapStart's first, second and third requests


def median_of(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class Subject:
    name: str
    code_dir: Path
    handler: str
    sample: str
    events: Events
    extra_env: dict[str, str] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    import_times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    restored_times: list[float] = field(default_factory=list)  # SnapStart: restore hooks + first request
    warm_times: list[float] = field(default_factory=list)  # the same interpreter's second request
    # SnapStart: restore hooks + a third request, after the hooks ran again (new connections, warm code)
    again_times: list[float] = field(default_factory=list)
    snap_statuses: list[str] = field(default_factory=list)
    html_bytes: list[int] = field(default_factory=list)  # a hosted page's HTML, per run
    disk_reads: list[int] = field(default_factory=list)  # KiB the machine read from disk during each plain run

    @property
    def median(self) -> float | None:
        return median_of(self.times)

    @property
    def import_median(self) -> float | None:
        return median_of(self.import_times)

    @property
    def cpu_median(self) -> float | None:
        return median_of(self.cpu_times)

    @property
    def snap_ratio(self) -> float | None:
        """SnapStart's first request against a warm one, each run's own pair (median of ratios)."""
        return median_of([first / warm for first, warm in zip(self.restored_times, self.warm_times, strict=True)
                        if warm > 0])


def subjects(world: World) -> list[Subject]:
    """Every function of template.yaml with the events its runs serve: the same request each
    time, varied only where a repeat would do less work (a used link, a replayed idempotency
    key, a customer already locked, a throttled source IP)."""
    owner, operator, account = world.owner_token, world.operator_token, world.account_id
    runs = RUNS
    _, _, customer_token = world.claimed_customer()
    plain_customer = world.create_customer()
    invitee = world.create_customer()
    links = [world.invited_customer()[2] for _ in range(runs)]
    to_lock = [world.create_customer() for _ in range(runs)]
    passwords_to_change = [world.claimed_customer()[2] for _ in range(runs)]
    signed_in = world.claimed_customer()[0]
    world.expect(200, world.call("PATCH", f"/v1/operator/accounts/{account}", {"staff_slots": 10 * runs},
                                 token=operator), "room for a staff member each run")
    sessions = [world.new_session(signed_in) for _ in range(2 * runs)]  # one to refresh, one to log out, each run
    mailer_emails = []
    for _ in range(runs):
        email = f"{unique('mailer-')}@example.com"
        world.create_customer(email)
        mailer_emails.append(email)

    makers: dict[str, Events] = {
        "login": lambda i: sample("login"),
        "refresh": lambda i: sample("refresh", refresh_token=sessions[2 * i].refresh_token),
        "logout": lambda i: sample("logout", access_token=sessions[2 * i + 1].access_token),
        "claim": lambda i: varied(sample("claim", link_token=links[i])),
        "create_customer": lambda i: varied(sample("create_customer", access_token=owner),
                                            body={"email": f"cold-{i}-{time.time_ns()}@example.com"},
                                            headers={"idempotency-key": unique("cold-create-")}),
        "get_customer": lambda i: sample("get_customer", access_token=owner, customer_id=plain_customer),
        "list_customers": lambda i: sample("list_customers", access_token=owner),
        "update_customer": lambda i: varied(sample("update_customer", access_token=owner, customer_id=plain_customer),
                                            body={"phone": f"+44 20 7946 {i:04d}"}),
        "change_password": lambda i: sample("change_password", access_token=passwords_to_change[i]),
        "settings": lambda i: sample("settings", access_token=owner),
        "invite": lambda i: varied(sample("invite", access_token=owner, customer_id=invitee),
                                   headers={"idempotency-key": unique("cold-invite-")}),
        "me": lambda i: sample("me", access_token=customer_token),
        "jwks": lambda i: sample("jwks"),
        "reset": lambda i: varied(sample("forgot_password"), source_ip=f"192.0.2.{i + 1}"),
        "reset_mailer": lambda i: sqs_body(sample("reset_mailer"), email=mailer_emails[i]),
        "lock": lambda i: sample("lock_customer", access_token=owner, customer_id=to_lock[i]),
        "login_as": lambda i: sample("login_as", access_token=operator, account_id=account),
        "history": lambda i: sample("history", access_token=operator, account_id=account),
        "cleanup": lambda i: sample("cleanup"),
        "docs": lambda i: sample("docs"),
        "imports": lambda i: varied(sample("imports", access_token=owner),
                                    headers={"idempotency-key": unique("cold-import-")}),
        "import_uploads": lambda i: sample("import_uploads", access_token=owner),
        "jobs": lambda i: sample("jobs", access_token=owner),
        "client_accounts": lambda i: sample("client_accounts", access_token=operator),
        "operators": lambda i: sample("operators", access_token=operator),
        "activity": lambda i: sample("activity", access_token=operator, account_id=account),
        "update_account": lambda i: sample("update_account", access_token=operator, account_id=account),
        "staff": lambda i: sample("list_staff", access_token=owner),
        "manage_staff": lambda i: varied(sample("add_staff", access_token=owner),
                                         body={"email": f"{unique('cold-staff-')}@example.com"},
                                         headers={"idempotency-key": unique("cold-staff-")}),
        "setup_complete": lambda i: sample("setup_complete", access_token=operator, account_id=account),
        "bulk_invites": lambda i: varied(sample("bulk_invites", access_token=owner, customer_id=invitee),
                                         headers={"idempotency-key": unique("cold-bulk-invite-")}),
        "open_account": lambda i: varied(sample("open_account", access_token=operator),
                                         body={"nickname": unique("cold-")[:30].lower(),
                                               "owner": {"email": f"{unique('cold-owner-')}@example.com",
                                                         "first_name": "Olive", "last_name": "Owner"}}),
    }
    subjects = []
    pages = page_events(world, customer_token)
    for function in functions():
        if function.name == "pages":  # one subject per page: each its own cold start and HTML size
            subjects += [Subject(f"pages: {page}", function.code_dir, function.handler, f"pages {target}",
                                 always(event), {"AWS_LAMBDA_FUNCTION_NAME": function.logical_id})
                         for page, (target, event) in pages.items()]
            continue
        events = makers.get(function.name) or _default_events(function)
        subjects.append(Subject(function.name, function.code_dir, function.handler,
                                SAMPLE_OF.get(function.name, function.name), events,
                                {"AWS_LAMBDA_FUNCTION_NAME": function.logical_id}))
    return subjects


def _default_events(function: Function) -> Events:
    """A function added to the template after this bench was written: its own sample, as is."""
    name = SAMPLE_OF.get(function.name, function.name)
    return lambda i: sample(name)


def baseline(variant: str = "") -> Subject:
    """The baseline ("") or one of its informational variants: "validation", "aws", and "floor"
    (both: the least a function that validates its request and reads DynamoDB does), and "paused"
    (the floor loaded as a function loads: the garbage collector paused, handover/coldstart.py)."""
    ping = varied(sample("jwks"))
    ping.update(rawPath="/bench/ping", routeKey="GET /bench/ping")
    ping["requestContext"].update(routeKey="GET /bench/ping")
    ping["requestContext"]["http"]["path"] = "/bench/ping"
    name = {"": "baseline", "validation": "baseline + validation",
            "aws": "baseline + 1 DynamoDB GetItem",
            "floor": "baseline + validation + 1 GetItem",
            "paused": "the floor, loaded with the GC paused"}[variant]
    return Subject(name, BASELINE_DIR, "app.lambda_handler", "GET /bench/ping", lambda i: ping,
                   {"AWS_LAMBDA_FUNCTION_NAME": "Baseline",
                    "BENCH_VALIDATION": "1" if variant in ("validation", "floor", "paused") else "0",
                    "BENCH_AWS": "1" if variant in ("aws", "floor", "paused") else "0",
                    "BENCH_PAUSED": "1" if variant == "paused" else "0"})
