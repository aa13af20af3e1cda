"""Imports: the planner behind POST /v1/customers/imports and behind an uploaded file. It reads
the file once, checks its shape (csv_invalid: not UTF-8, no header row, no `email` column), writes
the job and queues its rows in batches for the import worker (jobs/import_rows.py).

An inline import is planned as its request is answered (a bad file is a 400). An upload
(POST /v1/customers/imports/uploads) answers a queued job and a pre-signed PUT URL for
`imports/<account>/<job id>.csv`; S3's event for the object runs `plan_upload`, which streams the
file through the same parser, and moves the job from queued to running once (a repeated event
finds it running and does nothing); a bad file ends the job `failed` with its `error`, and so does
a file that has not landed an hour after its URL expired (when the job is next read: jobs.py).

Whether an email is a repeat within the file is decided here, where the whole file is seen: the
second and later rows with an email are queued as `duplicate_in_file` of the first, so the answer
is exact whatever order the batches run in. Every row, a repeat too, is counted by the worker.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal, Protocol

from pydantic import ValidationError

from handover.contract.jobs import MAX_ROWS, ImportRequest
from handover.data.jobs import JobRecord
from handover.errors import (
    BodyInvalid,
    CsvInvalid,
    DependencyUnavailable,
    JobStopped,
    MalformedRequest,
    PayloadTooLarge,
)
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller
from handover.jobs.jobs import Jobs
from handover.queue import WorkQueue

MAX_BYTES = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = 100 * 1024 * 1024
UPLOAD_SECONDS = 15 * 60
LANDING_SECONDS = 60 * 60  # after its URL expired, how long a file may take to land and be planned
UPLOAD_PREFIX = "imports/"
_UPLOAD_KEY = re.compile(r"^imports/(?P<account>[A-Za-z0-9_-]{1,64})/(?P<job>[A-Za-z0-9_-]{1,64})\.csv$")
ROWS_PER_MESSAGE = 100
# A message holds at most 256 KiB; batches stop short of it, and a single row beyond this is
# refused as a row (no valid row comes near it).
MESSAGE_BYTES = 200_000
ROW_BYTES = 100_000
CORE_COLUMNS = ("email", "first_name", "last_name", "phone")
FIRST_DATA_ROW = 2  # the header is row 1


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class FileStore(Protocol):
    """Where uploaded files land (S3): a URL to PUT one to, and reading one back."""

    def upload_url(self, key: str, seconds: int) -> str: ...

    def open(self, key: str) -> Readable: ...


@dataclass(frozen=True)
class Upload:
    url: str
    expires_at: int
    method: str = "PUT"


class Imports:
    def __init__(self, *, jobs: Jobs, queue: WorkQueue, files: FileStore | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._jobs = jobs
        self._queue = queue
        self._files = files
        self._clock = clock

    def start(self, caller: Caller, body: bytes, content_type: str, *, dry_run: bool,
              on_existing: Literal["skip", "update"], receipt: Receipt = NO_KEY) -> JobRecord:
        if len(body) > MAX_BYTES:
            raise PayloadTooLarge(f"The body must be at most {MAX_BYTES} bytes; upload larger files")
        rows = csv_rows(io.BytesIO(body)) if content_type == "text/csv" else json_rows(body)
        job = self._jobs.new(caller, "import", len(rows), dry_run=dry_run, on_existing=on_existing)
        return self._jobs.launch(job, messages(job, rows), self._queue, receipt)

    def start_upload(self, caller: Caller, *, dry_run: bool,
                     on_existing: Literal["skip", "update"]) -> tuple[JobRecord, Upload]:
        """A job queued until its file lands, and where to PUT the file (for UPLOAD_SECONDS)."""
        if self._files is None:
            raise RuntimeError("No upload bucket is configured")
        job = self._jobs.new(caller, "import", 0, dry_run=dry_run, on_existing=on_existing)
        job.file_due_at = job.created_at + UPLOAD_SECONDS + LANDING_SECONDS
        self._jobs.dynamo.transact([self._jobs.store.add(job)])
        url = self._files.upload_url(upload_key(job.account_id, job.id), UPLOAD_SECONDS)
        return job, Upload(url=url, expires_at=job.created_at + UPLOAD_SECONDS)

    def plan_upload(self, key: str, size: int) -> str:
        """Plan the job whose file landed at `key` (S3's event for it); what became of it: `planned`,
        `done` (no rows), `failed` (the file's shape), or `ignored` (not a job's file, or a job
        planned, cancelled or failed before: S3 may deliver an event twice)."""
        if self._files is None:
            raise RuntimeError("No upload bucket is configured")
        match = _UPLOAD_KEY.match(key)
        if not match:
            return "ignored"
        job = self._jobs.store.get(match["account"], match["job"])
        if job is None or job.status != "queued":
            return "ignored"
        try:
            if size > UPLOAD_MAX_BYTES:
                raise CsvInvalid(f"The file is larger than {UPLOAD_MAX_BYTES} bytes")
            rows = csv_rows(io.BufferedReader(_Limited(self._files.open(key), UPLOAD_MAX_BYTES)))
        except CsvInvalid as error:
            return "failed" if self._jobs.fail(job, error.detail) is not None else "ignored"
        now = int(self._clock())
        status: Literal["running", "done"] = "running" if rows else "done"
        planned = job.model_copy(update={"status": status, "total": len(rows), "started_at": now,
                                         **({"finished_at": now} if not rows else {})})
        writes = [self._jobs.store.plan(job, len(rows), now, status)]
        if not rows:
            writes.append(self._jobs.finished_event(planned, "done"))
        try:
            self._jobs.dynamo.transact(writes)
        except JobStopped:  # planned by a repeat of the event meanwhile, or cancelled
            return "ignored"
        if rows:
            self._queue_rows(planned, rows)
        return "planned" if rows else "done"

    def _queue_rows(self, job: JobRecord, rows: list[tuple[int, dict[str, Any]]]) -> None:
        try:
            self._queue.send_many(list(messages(job, rows)))
        except DependencyUnavailable:
            self._jobs.fail(job, "The rows could not be queued")
            raise


def upload_key(account_id: str, job_id: str) -> str:
    return f"{UPLOAD_PREFIX}{account_id}/{job_id}.csv"


class _Limited(io.RawIOBase):
    """A file read in chunks, refused (csv_invalid) once it passes `limit` bytes."""

    def __init__(self, source: Readable, limit: int) -> None:
        self._source = source
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._source.read(len(buffer))
        self._left -= len(chunk)
        if self._left < 0:
            raise CsvInvalid(f"The file is larger than {UPLOAD_MAX_BYTES} bytes")
        buffer[:len(chunk)] = chunk
        return len(chunk)


def body_digest(body: bytes) -> str:
    """What an Idempotency-Key's repeat is compared by: the file's SHA-256, not the file."""
    return hashlib.sha256(body).hexdigest()


def csv_rows(file: IO[bytes]) -> list[tuple[int, dict[str, Any]]]:
    """The data rows of a UTF-8 CSV (a byte-order mark allowed, RFC 4180 quoting), read once as a
    stream, numbered as a spreadsheet shows them; wholly empty lines are left out. Empty cells are
    absent values. The inline import and an uploaded file are both read here."""
    reader = csv.reader(io.TextIOWrapper(file, encoding="utf-8-sig", newline=""), strict=True)
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
    except UnicodeDecodeError:
        raise CsvInvalid("The file is not UTF-8") from None
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
