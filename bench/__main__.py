"""`make bench`: cold starts, AWS round trips, timing of existing versus unknown emails, the
cost per monthly active customer, the directory at two sizes, the publisher's time per event and
the operators' roll at two sizes with the round trips of each operator action, and bulk jobs (the
workers' time per row, an import of 20,000 rows and a bulk invite through the dev server), each
printed as a table, then a summary of every figure against its goal (`python -m bench coldstart`:
part 1 alone; `python -m bench instructions`: part 1's plain cold starts counted in instructions,
bench/instructions.py). A measurement, not a test: nothing fails, noisy machines are met with
medians."""

from __future__ import annotations

import sys
import time

from local.lambdas import ensure_layer_on_path

USAGE = "usage: python -m bench [coldstart | instructions]  (no argument: every part, as `make bench`)"


def main() -> None:
    if sys.argv[1:] not in ([], ["coldstart"], ["instructions"]):
        sys.exit(USAGE)  # not a run of half an hour for a mistyped part
    ensure_layer_on_path()
    from bench import (
        coldreport,
        coldstart,
        cost,
        directory,
        jobs,
        operators,
        publisher,
        report,
        roundtrips,
        snapcost,
        timing,
    )
    from bench.aws import mocked
    from bench.world import World

    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[bench {time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    if sys.argv[1:] == ["instructions"]:
        from bench import instructions

        if not instructions.available():
            sys.exit("`python -m bench instructions` needs valgrind (apt-get install valgrind)")
        print(instructions.instructions_table(instructions.measure(progress)), flush=True)
        progress("done")
        return
    cold = coldstart.measure(progress)
    print(coldreport.cold_table(cold), flush=True)
    print(coldreport.snapstart_table(cold), flush=True)
    print(coldreport.anatomy_table(cold), flush=True)
    print(snapcost.cost_table(cold.subjects), flush=True)
    if sys.argv[1:] == ["coldstart"]:  # part 1 alone: `python -m bench coldstart`
        print(report.table("SUMMARY (part 1)", ["figure", "measured", "goal", "result"], coldreport.cold_rows(cold)))
        progress("done")
        return
    with mocked():
        world = World()
        actions = roundtrips.measure(world, progress)
        print(report.trips_table(actions), flush=True)
        measured = cost.durations(world, progress)
        comparisons = timing.measure(world, progress)
        print(report.timing_table(comparisons), flush=True)
        month = cost.compute(world, actions, measured)
        pages = directory.measure(world, progress)
        batches = publisher.measure(progress)
        workers = jobs.measure_workers(world, progress)
    print(report.cost_table(month), flush=True)
    print(report.directory_table(pages), flush=True)
    print(report.publisher_table(batches), flush=True)
    roll = operators.measure(progress)  # a world of its own: the roll is the platform's
    print(report.operators_table(roll), flush=True)
    bulk = jobs.JobFigures(workers, jobs.measure_server(progress))  # a dev server of its own
    print(jobs.table(bulk), flush=True)
    print(report.summary(cold, actions, comparisons, month, pages, batches, roll, jobs.summary_rows(bulk)), flush=True)
    progress("done")


if __name__ == "__main__":
    main()
