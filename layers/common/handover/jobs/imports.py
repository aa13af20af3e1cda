"""Imports: the planner behind POST /v1/customers/imports. It reads the file once, checks its
shape (400 csv_invalid: not UTF-8, no header row, no `email` column), writes the job and queues
its rows in batches for the import worker (jobs/import_rows.py).

Whether an email is a repeat within the file is decided here, where the whole file is seen: the
second and later rows with an email are queued as `duplicate_in_file` of the first, so the answer
is exact whatever order the batches run in. Every row, a repeat too, is counted by the worker.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import ValidationError

from handover.contract.jobs import MAX_ROWS, ImportRequest
from handover.data.jobs import JobRecord
from handover.errors import BodyInvalid, CsvInvalid, MalformedRequest, PayloadTooLarge
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller
from handover.jobs.jobs import Jobs
from handover.queue import WorkQueue

MAX_BYTES = 5 * 1024 * 1024
ROWS_PER_MESSAGE = 100
# A message holds at most 256 KiB; batches stop short of it, and a single row beyond this is
# refused as a row (no valid row comes near it).
MESSAGE_BYTES = 200_000
ROW_BYTES = 100_000
CORE_COLUMNS = ("email", "first_name", "last_name", "phone")
FIRST_DATA_ROW = 2  # the header is row 1


class Imports:
    def __init__(self, *, jobs: Jobs, queue: WorkQueue) -> None:
        self._jobs = jobs
        self._queue = queue

    def start(self, caller: Caller, body: bytes, content_type: str, *, dry_run: bool,
              on_existing: Literal["skip", "update"], receipt: Receipt = NO_KEY) -> JobRecord:
        if len(body) > MAX_BYTES:
            raise PayloadTooLarge(f"The body must be at most {MAX_BYTES} bytes; upload larger files")
        rows = csv_rows(body) if content_type == "text/csv" else json_rows(body)
        job = self._jobs.new(caller, "import", len(rows), dry_run=dry_run, on_existing=on_existing)
        return self._jobs.launch(job, messages(job, rows), self._queue, receipt)


def body_digest(body: bytes) -> str:
    """What an Idempotency-Key's repeat is compared by: the file's SHA-256, not the file."""
    return hashlib.sha256(body).hexdigest()


def csv_rows(body: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The data rows of a UTF-8 CSV (a byte-order mark allowed, RFC 4180 quoting), numbered as a
    spreadsheet shows them; wholly empty lines are left out. Empty cells are absent values."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvInvalid("The file is not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
        if not any(header):
            raise CsvInvalid("The file has no header row")
        if "email" not in header:
            raise CsvInvalid("The header row has no `email` column")
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, cells in enumerate(reader, start=FIRST_DATA_ROW):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise CsvInvalid(f"The file has more than {MAX_ROWS} data rows")
            rows.append((number, _csv_row(header, cells)))
    except csv.Error as error:
        raise CsvInvalid(f"The file is not valid CSV: {error}") from None
    return rows


def _csv_row(header: list[str], cells: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"csv": True}
    custom: dict[str, str] = {}
    for name, cell in zip(header, cells, strict=False):
        value = cell.strip()
        if not name or not value:
            continue
        if name in CORE_COLUMNS:
            row[name] = value
        else:
            custom[name] = value
    if custom:
        row["custom_fields"] = custom
    return row


def json_rows(body: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The rows of `{rows: [...]}`, numbered as a CSV's would be (the first is row 2)."""
    try:
        request = ImportRequest.model_validate_json(body)
    except ValidationError as error:
        issues = error.errors()
        if any(issue["type"] == "json_invalid" for issue in issues):
            raise MalformedRequest() from None
        raise BodyInvalid([{"loc": ["body", *issue["loc"]], "msg": issue["msg"], "type": issue["type"]}
                           for issue in issues]) from None
    return list(enumerate(request.rows, start=FIRST_DATA_ROW))


def messages(job: JobRecord, rows: list[tuple[int, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """The job's rows in batches for the worker: at most ROWS_PER_MESSAGE rows and MESSAGE_BYTES
    each; a repeated email goes as a repeat of its first row."""
    first_row: dict[str, int] = {}
    batch: list[dict[str, Any]] = []
    size = 0
    for number, data in rows:
        email = data.get("email")
        key = email.strip().lower() if isinstance(email, str) else None
        entry: dict[str, Any] = {"row": number}
        if key and key in first_row:
            entry["duplicate_of"] = first_row[key]
        else:
            if key:
                first_row[key] = number
            if len(json.dumps(data)) > ROW_BYTES:
                entry["too_large"] = True
            else:
                entry["data"] = data
        entry_size = len(json.dumps(entry))
        if batch and (len(batch) == ROWS_PER_MESSAGE or size + entry_size > MESSAGE_BYTES):
            yield {"account_id": job.account_id, "job_id": job.id, "rows": batch}
            batch, size = [], 0
        batch.append(entry)
        size += entry_size
    if batch:
        yield {"account_id": job.account_id, "job_id": job.id, "rows": batch}
