"""Part 1's tables: cold starts of the built artifact, SnapStart's model, where the time goes, and
part 1's rows of the summary."""

from __future__ import annotations

from bench import coldstart
from bench.coldstart import ColdStarts
from bench.report import table, verdict
from bench.subjects import median_of


def cold_table(result: ColdStarts) -> str:
    rows = []
    for subject in [result.baseline, *result.informational, *result.subjects]:
        judged = subject in result.subjects
        ratio = result.ratio(subject)
        cpu_ratio = result.cpu_ratio(subject)
        times = subject.times
        statuses = ",".join(sorted(set(subject.statuses))) or "-"
        rows.append([
            subject.name, subject.sample, statuses,
            f"{subject.median:.0f}" if subject.median is not None else "-",
            f"{min(times):.0f}-{max(times):.0f}" if times else "-",
            f"{subject.import_median:.0f}" if subject.import_median is not None else "-",
            f"{ratio:.2f}x" if ratio is not None else "-",
            f"{result.ratio(subject, result.baseline) or 0:.2f}x",
            f"{subject.cpu_median:.0f}" if subject.cpu_median is not None else "-",
            f"{cpu_ratio:.2f}x" if cpu_ratio is not None else "-",
            f"{median_of(subject.disk_reads):.0f}/{max(subject.disk_reads)}" if subject.disk_reads else "-",
            f"<= {coldstart.GOAL_RATIO:.2f}x" if judged else "",
            verdict(ratio is not None and ratio <= coldstart.GOAL_RATIO) if judged else "",
            f"{max(subject.html_bytes) / 1024:.1f}" if subject.html_bytes else "",
            "; ".join(subject.errors[:1]),
        ])
    return table(
        f"Part 1. Cold start of the built artifact: import + first request in a fresh interpreter"
        f" ({coldstart.ROUNDS} runs, median)",
        ["function", "sample", "status", "median ms", "range ms", "of it import ms", "vs floor", "vs baseline",
         "CPU ms", "CPU vs floor", "disk KiB", "goal", "result", "HTML KB", "errors"], rows,
        ["the artifact: layers/common/Makefile's build-CommonLayer (wheels, package, hash-checked .pyc) for this"
         f" machine's CPU, run by {result.python}, writing no bytecode (Lambda's /opt is read-only); Powertools,"
         " pydantic and boto3 stand in for the Powertools layer and the runtime's boto3 (bench/artifact.py)",
         "baseline: the same libraries (Powertools resolver, Logger, Tracer, Metrics, boto3, pydantic, jwt), one"
         " trivial route; 'baseline + validation' turns on request validation, as handover.web does; '+ 1 DynamoDB"
         " GetItem' builds a DynamoDB client and reads one item; 'baseline + validation + 1 GetItem' is the floor"
         " every function is judged against (twice per round, so measured"
         f" {len(result.floor.times)} times); 'the floor, loaded with the GC paused' loads it as every function"
         " loads (handover/coldstart.py: the garbage collector paused, then what was made frozen), for information",
         "CPU: the interpreter's own CPU time to its first response (median), without the time it waited for"
         " AWS or for the machine's other work: steadier than the wall time on a shared machine, for"
         " information; the goal is judged on the wall time",
         "disk KiB: what the machine read from its disk while each run went (/proc/vmstat), median/most: this"
         " machine's memory manager drops file pages nobody used for about a minute, so a run whose files no"
         " other run used lately reads them from disk again, a cost the others do not pay",
         "AWS: moto server on 127.0.0.1 (one process, started and seeded once); runs interleaved in a shuffled"
         " order each round, after a warm-up round that is not counted"])


def _ms(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def snapstart_table(result: ColdStarts) -> str:
    rows = []
    for subject in [result.baseline, *result.subjects]:
        ratio = subject.snap_ratio
        judged = subject in result.subjects
        rows.append([
            subject.name, ",".join(sorted(set(subject.snap_statuses))) or "-",
            _ms(median_of(subject.restored_times)), _ms(median_of(subject.warm_times)),
            _ms(median_of(subject.again_times)), f"{ratio:.2f}x" if ratio is not None else "-",
            f"<= {coldstart.SNAP_GOAL:.1f}x" if judged else "",
            verdict(ratio is not None and ratio <= coldstart.SNAP_GOAL) if judged else "",
            "; ".join(error for error in subject.errors if error.startswith("SnapStart"))[:100],
        ])
    return table(
        f"Part 1, continued. SnapStart's model: the first request after a restore ({coldstart.ROUNDS} runs, median)",
        ["function", "status first/second", "restore hooks + first ms", "warm request ms",
         "hooks again + third ms", "first / warm", "goal", "result", "errors"], rows,
        ["in a fresh interpreter of the same artifact: import and the before-snapshot hooks (handover/snapshot.py)"
         " untimed, as Lambda runs them when it publishes a version; then the after-restore hooks and the first"
         " request timed, then a second request of the same kind in the same interpreter (the warm one)",
         "hooks again + third: the after-restore hooks run once more, then a third request, timed together: a"
         " restore once the code has run (new connections, nothing else first), for information; what the first"
         " request takes beyond it is code running for the first time, which priming did not reach",
         "not modelled: Lambda's own restore of the snapshot (resuming the microVM), before the hooks run; and"
         " on AWS the first request opens new TLS connections, which on loopback cost little"])


def anatomy_table(result: ColdStarts) -> str:
    rows = [[name, f"{ms:.1f}" if ms is not None else "-", why[:80]] for name, ms, why in result.anatomy]
    floor = result.floor.median or 0
    return table(
        f"Part 1, continued. Where a cold start goes: each step in a fresh interpreter ({coldstart.ROUNDS} runs,"
        " median)",
        ["step (in the order a first request meets them)", "adds ms", "could not run"], rows,
        ["each figure is what the step adds after the ones above it (bench/anatomy.py), in the built artifact",
         f"goal budget: {coldstart.GOAL_RATIO:.2f} x {floor:.0f} ms (the floor) leaves"
         f" {(coldstart.GOAL_RATIO - 1) * floor:.0f} ms for everything a function adds to the floor"])


def cold_rows(cold: ColdStarts) -> list[list[str]]:
    rows = []
    for subject in cold.subjects:
        ratio = cold.ratio(subject)
        rows.append([f"cold start: {subject.name}",
                     f"{subject.median:.0f} ms = {ratio:.2f}x" if ratio is not None and subject.median else "error",
                     f"<= {coldstart.GOAL_RATIO:.2f}x floor ({cold.floor.median or 0:.0f} ms)",
                     verdict(ratio is not None and ratio <= coldstart.GOAL_RATIO)])
    for subject in cold.subjects:
        snap = subject.snap_ratio
        rows.append([f"SnapStart first request: {subject.name}",
                     f"{median_of(subject.restored_times) or 0:.0f} ms = {snap:.2f}x" if snap is not None
                     else "error", f"<= {coldstart.SNAP_GOAL:.1f}x its warm request",
                     verdict(snap is not None and snap <= coldstart.SNAP_GOAL)])
    return rows
