"""What SnapStart costs per function and month (bench/prices.toml), next to what it saves: the
first request's time (part 1's figures) and the init duration a plain cold start bills."""

from __future__ import annotations

from bench.cost import prices, unit_price
from bench.report import table
from bench.subjects import Subject, median_of
from local.template import template

MONTH_SECONDS = 30 * 24 * 3600
COLD_STARTS = (1_000, 10_000, 100_000)  # per function and month


def memory_gb() -> float:
    return float(template()["Globals"]["Function"]["MemorySize"]) / 1024


def cost_table(subjects: list[Subject]) -> str:
    listed = prices()
    gb = memory_gb()
    cache = unit_price(listed, "lambda_snapstart_cache") * gb * MONTH_SECONDS
    restore = unit_price(listed, "lambda_snapstart_restore") * gb
    duration = unit_price(listed, "lambda_arm64_duration") * gb
    plain = median_of([ms for subject in subjects if (ms := subject.median) is not None]) or 0.0
    restored = median_of([ms for subject in subjects if (ms := median_of(subject.restored_times)) is not None]) or 0.0
    init = median_of([ms for subject in subjects if (ms := subject.import_median) is not None]) or 0.0
    functions = len({subject.code_dir for subject in subjects})  # the hosted pages: one function, a subject per page
    rows = []
    for count in COLD_STARTS:
        rows.append([f"{count:,}", f"${cache:.2f}", f"${restore * count:.2f}", f"${cache + restore * count:.2f}",
                     f"${duration * init / 1000 * count:.2f}", f"{(plain - restored) / 1000 * count / 3600:.1f} h",
                     f"${(cache + restore * count) * functions:,.0f}"])
    return table(
        f"Part 1, continued. What SnapStart costs per function and month ({listed['region']}, {gb:g} GB)",
        ["cold starts", "cache", "restores", "SnapStart in all", "init billed without it", "customer time saved",
         f"all {functions} functions"], rows,
        [f"cache: ${unit_price(listed, 'lambda_snapstart_cache'):.10f} per GB-second, one published version kept a"
         f" month; restore: ${unit_price(listed, 'lambda_snapstart_restore'):.10f} per GB",
         f"saved per cold start: the medians of this run, {plain:.0f} ms (plain, the first response) less"
         f" {restored:.0f} ms (restore hooks + first request; Lambda's own resume not included); init billed:"
         f" the median import, {init:.0f} ms, at the arm64 duration price"])
