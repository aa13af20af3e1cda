"""Part 1 counted in instructions (`python -m bench instructions`, 8 to 25 minutes here; not part
of `make bench`): each function's plain cold start, the same child on the same built artifact and
the same moto server as part 1, after the same warm-up round (each child once, uncounted: the
cleanup's first run sweeps the seven days a table never swept starts from, its later runs one), run
once under valgrind's callgrind, which counts the instructions the interpreter executes (its own,
not moto's) against the floor's.

The timed figures move with the shared machine, by up to 0.2x of the floor between runs; an
instruction count moves by well under 1% between runs, so it tells whether a change made a cold
start cheaper. It is not time: the waits for AWS are not counted, and an instruction that misses
the CPU's caches costs more than one that hits them."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.coldstart import GOAL_RATIO, prepared, run_child
from bench.report import table, verdict
from bench.subjects import Subject

_CALLGRIND = ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null")
_COLLECTED = re.compile(r"Collected : (\d+)")


@dataclass(frozen=True)
class Count:
    name: str
    status: str
    instructions: int | None  # None: the run failed (`error` says why)
    error: str = ""


def measure(progress: Callable[[str], None]) -> list[Count]:
    """The floor's count first, then every function's; two children at a time."""
    with prepared(progress) as ready:
        floor = ready.informational[-1]
        subjects = [floor, *(subject for subject in ready.everyone if subject in ready.functions)]
        progress("instructions: part 1's warm-up round (not counted)")
        for subject in subjects:
            run_child(ready.built.python, subject, ready.env, ready.events[subject.name, 0])

        def count(subject: Subject) -> Count:
            kind, figures, stderr = run_child(ready.built.python, subject, ready.env, ready.events[subject.name, 1],
                                              under=_CALLGRIND, timeout=900)
            collected = _COLLECTED.search(stderr)
            if kind != "BENCH" or collected is None:
                return Count(subject.name, "-", None, figures[0] if kind != "BENCH" else "callgrind counted nothing")
            progress(f"instructions: {subject.name}")
            return Count(subject.name, figures[1], int(collected.group(1)))

        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(count, subjects))


def instructions_table(counts: list[Count]) -> str:
    floor = counts[0].instructions
    ratios = [count.instructions / floor if count.instructions and floor else None for count in counts]
    rows = [[count.name, count.status, f"{count.instructions / 1e6:,.0f}" if count.instructions else "-",
             f"{ratio:.2f}x" if ratio is not None else "-",
             verdict(ratio <= GOAL_RATIO) if ratio is not None and number else "", count.error]
            for number, (count, ratio) in enumerate(zip(counts, ratios, strict=True))]
    judged = [ratio for ratio in ratios[1:] if ratio is not None]
    within = sum(1 for ratio in judged if ratio <= GOAL_RATIO)
    return table("Part 1 in instructions: a plain cold start counted by callgrind (one run each)",
                 ["function", "status", "million instructions", "vs floor", f"within {GOAL_RATIO:.1f}x", "errors"],
                 rows, [f"{within} of {len(judged)} functions within {GOAL_RATIO:.1f}x the floor's instructions",
                        "the same children as part 1 (import + first request, python3.13, the built artifact),"
                        " each run once under valgrind --tool=callgrind; the first row is the floor"])


def available() -> bool:
    return shutil.which("valgrind") is not None
