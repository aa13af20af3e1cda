"""Part 1: cold starts of the built artifact (bench/artifact.py: the layer as `sam build` makes
it, with its bytecode, run by python3.13). Each function of template.yaml imports its module and
serves one request in a fresh interpreter, next to a baseline handler that only imports the
libraries every function imports and its variants; then SnapStart's model of each: the before-
snapshot hooks untimed, the after-restore hooks and the first request timed, against the same
interpreter's second request. AWS is a moto server on loopback, started and seeded once here."""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import artifact
from bench.artifact import Artifact
from bench.aws import moto_server, seeded
from bench.subjects import BASELINE_DIR, ROUNDS, RUNS, Subject, baseline, subjects
from bench.world import World

GOAL_RATIO = 1.2  # a plain cold start against the floor (baseline + validation + 1 GetItem), one run
SNAP_GOAL = 1.5  # SnapStart's first request against the same function's warm one
CHILD = Path(__file__).with_name("child.py")
ANATOMY = Path(__file__).with_name("anatomy.py")


@dataclass
class ColdStarts:
    baseline: Subject
    informational: list[Subject]  # baselines shown for context, not judged; the last is the floor
    subjects: list[Subject]
    anatomy: list[tuple[str, float | None, str]]  # (step, median ms, why it could not run)
    python: str

    @property
    def floor(self) -> Subject:
        return self.informational[-1]

    def ratio(self, subject: Subject, to: Subject | None = None) -> float | None:
        against = to or self.floor
        if subject.median is None or against.median is None:
            return None
        return subject.median / against.median

    def cpu_ratio(self, subject: Subject) -> float | None:
        if subject.cpu_median is None or self.floor.cpu_median is None:
            return None
        return subject.cpu_median / self.floor.cpu_median


def _child_env(aws: dict[str, str], function_env: dict[str, str], built: Artifact) -> dict[str, str]:
    """What a Lambda's interpreter would see, and nothing from this shell: no user AWS config, and
    no bytecode written (Lambda's /opt and /var/task are read-only: only what the build shipped
    is used). Lambda's own variables too (`_lambda_env` adds the function's), with tracing and
    metrics on as the template has them: outside Lambda the X-Ray SDK builds an X-Ray client of
    its own at import (about 90 ms here) and Powertools' Tracer turns itself off, neither of which
    a deployed function does; a traced invocation's subsegments go to a daemon address on
    loopback where nothing listens."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "BENCH_LAYER": built.layer_path,
        **function_env,
        **{name: value for name, value in aws.items()
           if name not in ("POWERTOOLS_TRACE_DISABLED", "POWERTOOLS_METRICS_DISABLED")},
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_X_AMZN_TRACE_ID": "Root=1-67890abc-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1",
    }


def _lambda_env(name: str, code_dir: Path, handler: str) -> dict[str, str]:
    """The variables Lambda sets per function."""
    return {"AWS_LAMBDA_FUNCTION_NAME": name, "LAMBDA_TASK_ROOT": str(code_dir), "_HANDLER": handler,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}", "AWS_LAMBDA_LOG_STREAM_NAME": "bench"}


def run_child(python: str, subject: Subject, env: dict[str, str], *event_files: Path,
              under: tuple[str, ...] = (), timeout: int = 120) -> tuple[str, list[str], str]:
    """One fresh interpreter (`under` a tool, if given): its answer line (BENCH or SNAP,
    bench/child.py) split, or why not; and what it wrote to stderr."""
    lambda_env = _lambda_env(subject.extra_env.get("AWS_LAMBDA_FUNCTION_NAME", "bench"), subject.code_dir,
                             subject.handler)
    done = subprocess.run([*under, python, str(CHILD), str(subject.code_dir), subject.handler, *map(str, event_files)],
                          env={**env, **lambda_env, **subject.extra_env}, cwd=subject.code_dir, capture_output=True,
                          text=True, timeout=timeout, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(("BENCH ", "SNAP ")):
            kind, *figures = line.split()
            return kind, figures, done.stderr
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return "", [f"exit {done.returncode}: {' | '.join(tail)}"], done.stderr


def disk_read_kib() -> int | None:
    """KiB this machine has read from its disks since it started (Linux's /proc/vmstat), or None."""
    try:
        with open("/proc/vmstat", encoding="ascii") as counters:
            return next(int(line.split()[1]) for line in counters if line.startswith("pgpgin "))
    except (OSError, StopIteration, ValueError):
        return None


def _plain(built: Artifact, subject: Subject, event: Path, env: dict[str, str], counted: bool) -> None:
    before = disk_read_kib()
    kind, figures, _ = run_child(built.python, subject, env, event)
    after = disk_read_kib()
    if kind != "BENCH":
        subject.errors.append(figures[0])
    elif counted:
        if before is not None and after is not None:
            subject.disk_reads.append(after - before)
        ms, status, imported, cpu, html = figures
        if html != "-":
            subject.html_bytes.append(int(html))
        subject.times.append(float(ms))
        subject.import_times.append(float(imported))
        subject.cpu_times.append(float(cpu))
        subject.statuses.append(status)


def _snapstart(built: Artifact, subject: Subject, events: tuple[Path, Path, Path], env: dict[str, str]) -> None:
    kind, figures, _ = run_child(built.python, subject, env, *events)
    if kind != "SNAP":
        subject.errors.append(f"SnapStart: {figures[0]}")
        return
    restored, status, warm, warm_status, again = figures
    subject.restored_times.append(float(restored))
    subject.warm_times.append(float(warm))
    subject.again_times.append(float(again))
    subject.snap_statuses.append(f"{status}/{warm_status}")


@dataclass
class Prepared:
    """What part 1 runs children on: the built artifact, the subjects with their events written out
    (by subject name and run), and the children's environment (AWS a seeded moto server)."""

    built: Artifact
    baseline: Subject
    informational: list[Subject]
    functions: list[Subject]
    everyone: list[Subject]  # those with events, baselines first
    events: dict[tuple[str, int], Path]
    env: dict[str, str]


@contextmanager
def prepared(progress: Callable[[str], None]) -> Iterator[Prepared]:
    into = Path(tempfile.mkdtemp(prefix="handover-bench-artifact-"))
    work = Path(tempfile.mkdtemp(prefix="handover-bench-events-"))
    try:
        progress("cold starts: building the artifact (layers/common/Makefile, for this machine's CPU)")
        built = artifact.build(into)
        shutil.copytree(BASELINE_DIR, built.code_dir("_baseline"))
        with moto_server() as aws, seeded(aws) as function_env:
            world = World()
            functions = subjects(world)
            for subject in functions:  # its directory, as sam build copies it (the pages share one)
                subject.code_dir = built.code_dir(subject.code_dir.name)
            plain = baseline()
            informational = [baseline("validation"), baseline("aws"), baseline("paused"), baseline("floor")]
            for subject in (plain, *informational):
                subject.code_dir = built.code_dir("_baseline")
            everyone = [plain, *informational, *functions]
            events = {}
            for subject in list(everyone):
                try:
                    for run in range(RUNS):
                        path = work / f"{subject.name.replace(' ', '_')}-{run}.json"
                        path.write_text(json.dumps(subject.events(run)), encoding="utf-8")
                        events[subject.name, run] = path
                except FileNotFoundError as missing:  # a new function without a sample: say so, go on
                    subject.errors.append(f"no sample: {missing.filename}")
                    everyone.remove(subject)
            yield Prepared(built, plain, informational, functions, everyone, events,
                           _child_env(aws, function_env, built))
    finally:
        shutil.rmtree(into, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def measure(progress: Callable[[str], None], snapstart: bool = True) -> ColdStarts:
    with prepared(progress) as ready:
        built, informational, everyone, events, env = (ready.built, ready.informational, ready.everyone, ready.events,
                                                       ready.env)
        order = random.Random(20261124)  # a fixed seed: the same shuffles every run of the bench
        for run in range(ROUNDS + 1):
            progress(f"cold starts: round {run} of {ROUNDS}" + (" (warm-up, not counted)" if not run else ""))
            # No function always first or last; the floor, which every ratio divides by, twice.
            for subject in order.sample([*everyone, informational[-1]], len(everyone) + 1):
                _plain(built, subject, events[subject.name, run], env, counted=run > 0)
                if run and snapstart and subject not in informational:
                    first, second, third = (events[subject.name, k * (ROUNDS + 1) + run] for k in (1, 2, 3))
                    _snapstart(built, subject, (first, second, third), env)
        progress("cold starts: where the time goes")
        anatomy = _anatomy(built.python, {**env, **_lambda_env("Anatomy", ANATOMY.parent, "anatomy.main")})
    return ColdStarts(ready.baseline, informational, ready.functions, anatomy, built.python)


def _anatomy(python: str, env: dict[str, str]) -> list[tuple[str, float | None, str]]:
    """bench/anatomy.py, ROUNDS times after a warm-up: each step's median."""
    steps: dict[str, list[float]] = {}
    failures: dict[str, str] = {}
    for run in range(ROUNDS + 1):
        done = subprocess.run([python, str(ANATOMY)], env=env, cwd=ANATOMY.parent, capture_output=True,
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
