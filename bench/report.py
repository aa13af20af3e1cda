"""Readable tables: one per part, and the summary of every figure against its goal."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode

from bench import cost, directory, operators, publisher, timing
from bench.calls import Call, capacity, names, outbox_writes, table_shapes
from bench.coldstart import ColdStarts
from bench.cost import MonthCost
from bench.directory import DirectoryFigures, Pages
from bench.operators import OperatorFigures
from bench.publisher import BatchTimes
from bench.roundtrips import Action
from bench.timing import Comparison

_NUMBER = re.compile(r"^[-+$]?[\d.,]+(?:\s?(?:x|ms|%))?$")


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]], notes: Sequence[str] = ()) -> str:
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(header), *(len(row[column]) for row in cells)) for column, header in enumerate(headers)]

    def line(row: Sequence[str]) -> str:
        return "  ".join(cell.rjust(width) if _NUMBER.match(cell) else cell.ljust(width)
                         for cell, width in zip(row, widths, strict=True)).rstrip()

    rule = "-" * len(line(["-" * width for width in widths]))
    out = ["", title, "=" * len(title), line(list(headers)), rule, *(line(row) for row in cells), rule]
    out += [f"  {note}" for note in notes]
    return "\n".join(out)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


# -- part 2 --------------------------------------------------------------------------------------


def _units(calls: list[Call]) -> str:
    shapes = table_shapes()
    rru = sum(capacity(call, shapes)[0] for call in calls)
    wru = sum(capacity(call, shapes)[1] for call in calls)
    return f"{rru:g} R / {wru:g} W"


def trips_table(actions: list[Action], title: str = "Part 2. AWS round trips per warm request (authentication"
                                                       " included)") -> str:
    rows = []
    for action in actions:
        count = len(action.warm)
        statuses = ",".join(str(status) for status in action.statuses)
        events, event_units = outbox_writes(action.warm)
        rows.append([
            action.name, str(count), names(action.warm),
            f"<= {action.goal}" if action.goal is not None else "-",
            verdict(count <= action.goal and action.ok) if action.goal is not None else "",
            ", ".join(action.cold_extra) or "-", ", ".join(action.clients) or "-", _units(action.warm),
            f"{events} ({event_units:g} W)" if events else "-", statuses, action.note,
        ])
    return table(
        title,
        ["action", "calls", "calls by name (warm)", "goal", "result", "first request adds",
         "clients built by the first request", "DynamoDB units", "events raised", "HTTP", "note"], rows,
        ["warm: the second request of a fresh runtime; the first request's one-off calls (per cold start) are"
         " shown under 'first request adds' and not counted",
         "counted with botocore 'before-call' hooks on the runtime's botocore session (every client the service"
         " makes); in-process moto (mock_aws)",
         "DynamoDB units: estimated read/write request units of the warm request (see bench/calls.py)",
         "events raised: Handover's own events the request wrote to the outbox, inside the transaction it runs"
         " anyway (no call of their own), and the write units of those items (included in 'DynamoDB units')"])


# -- part 3 --------------------------------------------------------------------------------------


def timing_table(comparisons: list[Comparison]) -> str:
    low, high = timing.GOAL
    rows = []
    for comparison in comparisons:
        existing = sorted(comparison.existing)
        unknown = sorted(comparison.unknown)
        rows.append([
            comparison.name, str(len(existing)),
            f"{existing[len(existing) // 2]:.1f}", f"{unknown[len(unknown) // 2]:.1f}",
            f"{comparison.ratio:.3f}", f"{comparison.paired_ratio:.3f}", f"{low:.1f}-{high:.1f}",
            verdict(low <= comparison.ratio <= high and comparison.ok),
            ",".join(str(status) for status in sorted(comparison.statuses)),
        ])
    return table(
        "Part 3. Does timing reveal whether an email exists? (medians, existing / unknown)",
        ["comparison", "tries each", "existing ms", "unknown ms", "ratio", "paired", "goal", "result", "HTTP"],
        rows,
        ["interleaved tries, one warm-up pair not counted; in-process handlers on moto (mock_aws)",
         "login: 50 distinct existing (verified, active) customers with a wrong password vs 50 unknown emails",
         "forgot-password: 50 existing vs 50 unknown emails, each try from its own source IP",
         "ratio: of the medians (judged); paired: median of the per-pair ratios (information, steadier under load)",
         *(f"unexpected answer ({comparison.name}): {comparison.errors[0][:200]}"
           for comparison in comparisons if comparison.errors)])


# -- part 4 --------------------------------------------------------------------------------------


def cost_table(month: MonthCost) -> str:
    rows = []
    for action in month.actions:
        rows.append([
            action.name, str(action.per_month), action.function, f"{action.memory_mb}",
            f"{action.duration_ms:.1f}", f"{action.gb_seconds:.4f}", f"{action.rru:g}", f"{action.wru:g}",
            str(action.signs), str(action.emails), f"${action.usd:.8f}", f"${action.usd_month:.8f}",
        ])
    p = month.prices
    share = ", ".join(f"{part} ${month.share(part):.7f}" for part in ("lambda", "http api", "dynamodb", "kms", "ses"))
    lite = float(p["cognito_lite_mau"]["usd"])
    essentials = float(p["cognito_essentials_mau"]["usd"])
    rows.append(["per monthly active customer", "", "", "", "", "", "", "", "", "", "", f"${month.per_mau:.7f}"])
    rows.append(["Amazon Cognito Lite", "", "", "", "", "", "", "", "", "", "", f"${lite:.4f}"])
    rows.append(["Amazon Cognito Essentials", "", "", "", "", "", "", "", "", "", "", f"${essentials:.4f}"])
    return table(
        f"Part 4. Cost per monthly active customer ({p['region']}, {p['currency']}; prices: bench/prices.toml)",
        ["action", "per month", "function", "MB", "warm ms", "GB-s", "RRU", "WRU", "KMS signs", "emails",
         "USD each", "USD per month"], rows,
        [f"month: {', '.join(f'{n} x {name}' for name, n in cost.MONTH.items())}; goal <= ${cost.GOAL}"
         f" per MAU -> {verdict(month.per_mau <= cost.GOAL)}",
         f"by charge: {share}",
         "each request: 1 Lambda request + 1 HTTP API request + GB-s (warm duration in-process, rounded up to the"
         " ms, at the template's MemorySize) + DynamoDB units (part 2 calls, estimated as in bench/calls.py)"
         " + KMS Sign + SES",
         f"vs Cognito: {lite / month.per_mau:.0f}x cheaper than Lite, {essentials / month.per_mau:.0f}x than"
         " Essentials; left out: cold starts (longer first durations), failed"
         " logins, the portal's link read before a claim, fixed monthly costs (KMS key $1, storage, logs, X-Ray)",
         "the warm durations come from this machine with AWS in-process; a 1024 MB arm64 Lambda (about 0.6"
         " vCPU) runs argon2 slower and waits on real network round trips, so read GB-s as a lower bound"])


# -- part 5 --------------------------------------------------------------------------------------


def _page_rows(figures: Pages) -> list[list[str]]:
    return [[page.query, f"{page.size:,}", str(page.trips), names(page.calls), str(page.items_read), f"{page.rru:g}",
             str(page.returned), str(page.status)] for page in figures.pages]


def _ratio_rows(label: str, figures: Pages, queries: Sequence[str], goal: float) -> list[list[str]]:
    """Per query, the items read and the round trips at the largest size over the smallest, against `goal`."""
    small, large = figures.sizes
    rows = []
    for query in queries:
        for what, measure in (("items read", lambda page: page.items_read), ("round trips", lambda page: page.trips)):
            ratio = figures.ratio(query, measure)
            rows.append([f"{label}, {query}: {what} at {large:,} / {small:,}", f"{ratio:.2f}x", f"<= {goal:.2f}x",
                         verdict(ratio <= goal)])
    return rows


def directory_table(figures: DirectoryFigures) -> str:
    rows = _page_rows(figures)
    pages = table(
        f"Part 5. A directory page (limit {directory.LIMIT}) at {' and '.join(f'{n:,}' for n in directory.SIZES)}"
        " customers",
        ["query", "customers", "calls", "calls by name", "items read", "RRU", "returned", "HTTP"], rows,
        ["items read: what each Query scanned plus what each BatchGetItem returned, the token check included"
         " (its BatchGetItem reads the staff member and the business)",
         f"q = {directory.QUERIES['q alone']['q']!r}, status = {directory.QUERIES['status alone']['status']!r};"
         f" goal: the page at {directory.SIZES[-1]:,} reads at most {directory.GOAL:.2f}x the items and round"
         f" trips it reads at {directory.SIZES[0]:,}",
         "a page: one Query on the search items of the prefix (with status: on the by_search_status index),"
         " one BatchGetItem of the customers it names"])
    writes = table(
        "Part 5, continued. What a customer's search index items cost its writes",
        ["write", "calls", "calls by name", "items in the transaction", "DynamoDB units", "HTTP"],
        [[write.name, str(len(write.calls)), names(write.calls), str(write.items_written), _units(write.calls),
          str(write.status)] for write in figures.writes],
        ["a customer has one search item per distinct prefix (up to 12 characters) of its full name, last name"
         " and email, plus one per term longer than that; a rename moves all of them (delete + put)",
         "DynamoDB units as in part 2 (bench/calls.py): transactional writes cost 2 WRU per KB, index entries 1"])
    return pages + "\n" + writes


# -- part 6 --------------------------------------------------------------------------------------


def publisher_table(batches: list[BatchTimes]) -> str:
    rows = [[str(times.size), str(times.calls_per_batch), str(len(times.per_event)), f"{times.median:.3f}",
             f"{min(times.per_event):.3f}-{max(times.per_event):.3f}", f"{times.median * times.size:.1f}",
             str(times.failed)] for times in batches]
    return table(
        "Part 6. The publisher's own time per event (in-process, EventBridge in moto)",
        ["batch of", "PutEvents calls", "batches", "median ms per event", "range ms per event",
         "median ms per batch", "records failed"], rows,
        [f"{publisher.EVENTS_PER_SIZE} events at each size, after one warm-up batch; each figure is a batch's"
         " handler time divided by its events",
         "the handler as Lambda invokes it on new outbox items (stream records, wire format): Powertools'"
         " BatchProcessor, the item checked, ten entries to a PutEvents call",
         "not included: the network round trip of each PutEvents call to a real bus, and Lambda's own reading"
         " of the stream (information, no goal)"])


# -- part 7 --------------------------------------------------------------------------------------


def operators_table(figures: OperatorFigures) -> str:
    small, large = figures.sizes
    rolls = "; ".join(f"{roll.size:,}: " + ", ".join(f"{count:,} {status}" for status, count in roll.counts.items())
                      + f", {roll.due} due" for roll in figures.rolls)
    pages = table(
        f"Part 7. The operators' roll: a page (limit {operators.LIMIT}) of GET /v1/operator/accounts at"
        f" {small:,} and {large:,} businesses",
        ["filter", "businesses", "calls", "calls by name", "items read", "RRU", "returned", "HTTP"],
        _page_rows(figures),
        ["items read: what each Query scanned plus what each BatchGetItem and GetItem returned, the token check"
         " included (its GetItem reads the operator)",
         "a page: the operator; one Query on the due items (the calendar's changes, settled first); one Query on the"
         " search items of the filter's scope (with status: on the by_search_status index); one BatchGetItem of"
         " the businesses and their owners; the counts (GetItem)",
         f"the roll by status (and due items when the pages were read): {rolls}; a business's next change is days"
         " ahead of the run, so the due Query reads nothing at either size",
         "filters: " + "; ".join(f"{name} = {urlencode(query) or '-'}" for name, query in operators.QUERIES.items())
         + "; the caller is operator@example.com (secure)"])
    ratios = table(
        f"Part 7, continued. The roll at {large:,} / at {small:,} businesses",
        ["figure", "measured", "goal", "result"],
        _ratio_rows("page", figures, list(operators.QUERIES), operators.GOAL))
    trips = trips_table(figures.actions, "Part 7, continued. AWS round trips per warm operator request"
                                         " (authentication included)")
    return "\n".join((pages, ratios, trips))


# -- summary -------------------------------------------------------------------------------------


def _trip_rows(label: str, actions: list[Action]) -> list[list[str]]:
    rows = []
    for action in actions:
        if action.goal is None:
            rows.append([f"{label}: {action.name.strip()}", str(len(action.warm)), "(information)",
                         "" if action.ok else "HTTP " + ",".join(map(str, action.statuses))])
            continue
        rows.append([f"{label}: {action.name}", str(len(action.warm)), f"<= {action.goal}",
                     verdict(len(action.warm) <= action.goal and action.ok)])
    return rows


def summary(cold: ColdStarts, actions: list[Action], comparisons: list[Comparison], month: MonthCost,
            pages: DirectoryFigures, batches: list[BatchTimes], roll: OperatorFigures,
            more: Sequence[list[str]] = ()) -> str:
    from bench import coldreport  # it prints with this module's table()

    rows = coldreport.cold_rows(cold)
    rows += _trip_rows("round trips", actions)
    low, high = timing.GOAL
    for comparison in comparisons:
        rows.append([f"timing: {comparison.name}", f"{comparison.ratio:.3f}", f"{low:.1f} - {high:.1f}",
                     verdict(low <= comparison.ratio <= high and comparison.ok)])
    rows.append(["cost per monthly active customer", f"${month.per_mau:.7f}", f"<= ${cost.GOAL}",
                 verdict(month.per_mau <= cost.GOAL)])
    rows += _ratio_rows("directory page", pages, list(directory.QUERIES), directory.GOAL)
    for times in batches:
        if times.size == 10:
            rows.append(["publisher: ms per event, batches of 10", f"{times.median:.3f} ms", "(information)", ""])
    rows += _ratio_rows("operators' roll", roll, list(operators.QUERIES), operators.GOAL)
    rows += _trip_rows("operator round trips", roll.actions)
    rows += more
    judged = [row for row in rows if row[3] in ("PASS", "MISS")]
    missed = sum(1 for row in judged if row[3] == "MISS")
    return table("SUMMARY", ["figure", "measured", "goal", "result"], rows,
                 [f"{len(judged) - missed} of {len(judged)} goals met; {missed} missed"])
