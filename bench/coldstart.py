"""Part 1: cold starts. Each function of template.yaml imports its module and serves one request
in a fresh interpreter, next to a baseline handler that only imports the libraries every function
imports; AWS is a moto server on loopback, started and seeded once by this process."""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.aws import moto_server, seeded
from bench.pages import always, page_events
from bench.samples import sample, sqs_body, varied
from bench.world import World, unique
from local.lambdas import LAYER
from local.template import ROOT, Function, functions

ROUNDS = 5  # measured runs per function (median), after one warm-up round that is not counted
GOAL_RATIO = 1.15
CHILD = Path(__file__).with_name("child.py")
ANATOMY = Path(__file__).with_name("anatomy.py")
BASELINE_DIR = Path(__file__).with_name("baseline")
# The sample that stands for a function with several routes.
SAMPLE_OF = {"reset": "forgot_password", "lock": "lock_customer", "platform_events": "platform_booking_created",
             "staff": "list_staff", "manage_staff": "add_staff", "delivery_events": "ses_delivery"}

Events = Callable[[int], dict[str, Any]]  # the event of the i-th run


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
    html_bytes: list[int] = field(default_factory=list)  # a hosted page's HTML, per run

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def import_median(self) -> float | None:
        return statistics.median(self.import_times) if self.import_times else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu_times) if self.cpu_times else None


@dataclass
class ColdStarts:
    baseline: Subject
    informational: list[Subject]  # baselines shown for context, not judged
    subjects: list[Subject]
    compile_ms: float
    anatomy: list[tuple[str, float | None, str]]  # (step, median ms, why it could not run)

    def ratio(self, subject: Subject) -> float | None:
        if subject.median is None or self.baseline.median is None:
            return None
        return subject.median / self.baseline.median

    def cpu_ratio(self, subject: Subject) -> float | None:
        if subject.cpu_median is None or self.baseline.cpu_median is None:
            return None
        return subject.cpu_median / self.baseline.cpu_median


def _subjects(world: World) -> list[Subject]:
    """Every function of template.yaml with the events its runs serve: the same request each
    time, varied only where a repeat would do less work (a used link, a replayed idempotency
    key, a customer already locked, a throttled source IP)."""
    owner, operator, account = world.owner_token, world.operator_token, world.account_id
    runs = ROUNDS + 1
    _, _, customer_token = world.claimed_customer()
    plain_customer = world.create_customer()
    invitee = world.create_customer()
    links = [world.invited_customer()[2] for _ in range(runs)]
    to_lock = [world.create_customer() for _ in range(runs)]
    passwords_to_change = [world.claimed_customer()[2] for _ in range(runs)]
    pages = page_events(world, customer_token)
    signed_in = world.claimed_customer()[0]
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
    }
    subjects = []
    for function in functions():
        if function.name == "pages":  # one subject per page: each its own cold start and HTML size
            subjects += [Subject(f"pages: {page}", function.code_dir, function.handler, f"pages {target}",
                                 always(event), {"BENCH_FUNCTION": function.logical_id})
                         for page, (target, event) in pages.items()]
            continue
        events = makers.get(function.name) or _default_events(function)
        subjects.append(Subject(function.name, function.code_dir, function.handler,
                                SAMPLE_OF.get(function.name, function.name), events,
                                {"BENCH_FUNCTION": function.logical_id}))
    return subjects


def _default_events(function: Function) -> Events:
    """A function added to the template after this bench was written: its own sample, as is."""
    name = SAMPLE_OF.get(function.name, function.name)
    return lambda i: sample(name)


def _baseline(variant: str = "") -> Subject:
    """The baseline ("") or one of its informational variants: "validation", "aws", and "floor"
    (both: the least a function that validates its request and reads DynamoDB does)."""
    ping = varied(sample("jwks"))
    ping.update(rawPath="/bench/ping", routeKey="GET /bench/ping")
    ping["requestContext"].update(routeKey="GET /bench/ping")
    ping["requestContext"]["http"]["path"] = "/bench/ping"
    name = {"": "baseline", "validation": "baseline + validation",
            "aws": "baseline + 1 DynamoDB GetItem",
            "floor": "baseline + validation + 1 GetItem"}[variant]
    return Subject(name, BASELINE_DIR, "app.lambda_handler", "GET /bench/ping", lambda i: ping,
                   {"BENCH_FUNCTION": "Baseline",
                    "BENCH_VALIDATION": "1" if variant in ("validation", "floor") else "0",
                    "BENCH_AWS": "1" if variant in ("aws", "floor") else "0"})


def _child_env(aws: dict[str, str], function_env: dict[str, str], pycache: str) -> dict[str, str]:
    """What a Lambda's interpreter would see, and nothing from this shell: no user AWS config,
    no PYTHONDONTWRITEBYTECODE (bytecode goes to a private cache, filled by the warm-up round, so
    the libraries load as they would from a deployment package)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPYCACHEPREFIX": pycache,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "BENCH_LAYER": str(LAYER),
        **function_env,
        **aws,
    }


def _run_child(subject: Subject, event_file: Path,
               env: dict[str, str]) -> tuple[float | None, str, float, float, int | None]:
    """One fresh interpreter: (milliseconds from its first line to the first response, status,
    milliseconds to the end of the handler module's import, CPU milliseconds to the response,
    bytes of the HTML it answered, if any)."""
    done = subprocess.run([sys.executable, str(CHILD), str(subject.code_dir), subject.handler, str(event_file)],
                          env={**env, **subject.extra_env}, cwd=subject.code_dir, capture_output=True, text=True,
                          timeout=120, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("BENCH "):
            _, ms, status, imported, cpu, html = line.split()
            return float(ms), status, float(imported), float(cpu), None if html == "-" else int(html)
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return None, f"exit {done.returncode}: {' | '.join(tail)}", 0.0, 0.0, None


def source_compile_ms() -> float:
    """What compiling the layer's and one function's own .py files costs here (median of 3): on
    Lambda these have no .pyc (sam build ships sources, /opt and /var/task are read-only), so
    every cold start pays it on top of the figures measured with cached bytecode."""
    files = [*sorted((LAYER / "handover").rglob("*.py")), ROOT / "functions" / "login" / "app.py"]
    sources = [(str(path), path.read_text(encoding="utf-8")) for path in files]
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        for path, source in sources:
            compile(source, path, "exec", dont_inherit=True)
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def measure(progress: Callable[[str], None]) -> ColdStarts:
    pycache = tempfile.mkdtemp(prefix="handover-bench-pycache-")
    work = Path(tempfile.mkdtemp(prefix="handover-bench-events-"))
    try:
        with moto_server() as aws, seeded(aws) as function_env:
            world = World()
            subjects = _subjects(world)
            baseline = _baseline()
            informational = [_baseline("validation"), _baseline("aws"), _baseline("floor")]
            everyone = [baseline, *informational, *subjects]
            events = {}
            for subject in list(everyone):
                try:
                    for run in range(ROUNDS + 1):
                        path = work / f"{subject.name.replace(' ', '_')}-{run}.json"
                        path.write_text(json.dumps(subject.events(run)), encoding="utf-8")
                        events[subject.name, run] = path
                except FileNotFoundError as missing:  # a new function without a sample: say so, go on
                    subject.errors.append(f"no sample: {missing.filename}")
                    everyone.remove(subject)
            env = _child_env(aws, function_env, pycache)
            order = random.Random(20261124)  # a fixed seed: the same shuffles every run of the bench
            for run in range(ROUNDS + 1):
                progress(f"cold starts: round {run} of {ROUNDS}" + (" (warm-up, not counted)" if not run else ""))
                # No function always first or last; the baseline, which every ratio divides by, twice.
                for subject in order.sample([*everyone, baseline], len(everyone) + 1):
                    ms, status, imported, cpu, html = _run_child(subject, events[subject.name, run], env)
                    if ms is None:
                        subject.errors.append(status)
                    elif run:
                        subject.times.append(ms)
                        subject.import_times.append(imported)
                        subject.cpu_times.append(cpu)
                        subject.statuses.append(status)
                        if html is not None:
                            subject.html_bytes.append(html)
            progress("cold starts: where the time goes")
            anatomy = _anatomy({**env, "BENCH_FUNCTION": "Anatomy"})
    finally:
        shutil.rmtree(pycache, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return ColdStarts(baseline, informational, subjects, source_compile_ms(), anatomy)


def _anatomy(env: dict[str, str]) -> list[tuple[str, float | None, str]]:
    """bench/anatomy.py, ROUNDS times after a warm-up: each step's median."""
    steps: dict[str, list[float]] = {}
    failures: dict[str, str] = {}
    for run in range(ROUNDS + 1):
        done = subprocess.run([sys.executable, str(ANATOMY)], env=env, cwd=ANATOMY.parent, capture_output=True,
                              text=True, timeout=120, check=False)
        for line in done.stdout.splitlines():
            if not line.startswith("STEP "):
                continue
            name, ms, why = line[5:].split("|", 2)
            steps.setdefault(name, [])
            if ms == "-":
                failures[name] = why
            elif run:
                steps[name].append(float(ms))
        if done.returncode:
            failures["bench/anatomy.py"] = (done.stderr.strip().splitlines() or ["failed"])[-1]
            steps.setdefault("bench/anatomy.py", [])
    return [(name, statistics.median(times) if times else None, failures.get(name, ""))
            for name, times in steps.items()]
