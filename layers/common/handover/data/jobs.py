"""Jobs (bulk work: imports) and what they leave behind, in the directory table:

    ACCT#<acct>#JOBS      JOB#<id>               a job: status, counts (atomic counters)
    ACCT#<acct>#JOB#<id>  ERROR#<row>#<n>        a row's error (`row` zero-padded: row order)
    ACCT#<acct>#JOB#<id>  ROW#<row>              a row is done (written with its outcome, once)

Job ids are ULIDs, so a Query on the jobs in reverse is newest first. Every item lives 30 days
(`expires_ttl`). A row's outcome, its counter and its marker are one transaction whose marker is
written only if absent: a retried batch applies no row twice and counts none twice.
"""

from __future__ import annotations

from typing import Any, Literal

from handover.data.dynamo import Dynamo, Write, put, update
from handover.data.wire import Item
from handover.errors import ChangedMeanwhile, HandoverError, JobFinished, JobStopped, RowDone
from handover.models import Model

JobKind = Literal["import", "invite"]
JobStatus = Literal["queued", "running", "done", "cancelled", "failed"]
Outcome = Literal["created", "updated", "skipped", "sent", "failed"]
RETENTION_SECONDS = 30 * 24 * 3600
ROW_DIGITS = 6


class JobActor(Model):
    realm: Literal["staff", "operator"]
    id: str
    email: str | None = None
    on_behalf_of: dict[str, Any] | None = None  # the staff member an operator acted as (login-as)


class JobRecord(Model):
    id: str
    account_id: str
    kind: JobKind
    status: JobStatus
    dry_run: bool = False
    on_existing: Literal["skip", "update"] = "skip"
    total: int
    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    sent: int = 0
    failed: int = 0
    created_by: JobActor
    created_at: int
    started_at: int | None = None
    finished_at: int | None = None
    error: str | None = None
    file_due_at: int | None = None  # an upload's job: when its file must have landed by
    expires_ttl: int


class RowError(Model):
    row: int
    column: str | None = None
    code: str
    detail: str


def jobs_pk(account_id: str) -> str:
    return f"ACCT#{account_id}#JOBS"


def job_key(account_id: str, job_id: str) -> dict[str, str]:
    return {"pk": jobs_pk(account_id), "sk": f"JOB#{job_id}"}


def _rows_pk(account_id: str, job_id: str) -> str:
    return f"ACCT#{account_id}#JOB#{job_id}"


def _row(row: int) -> str:
    return str(row).zfill(ROW_DIGITS)


_STATUS = {"#status": "status"}
_ACTIVE = {":queued": "queued", ":running": "running"}


class JobStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def add(self, job: JobRecord) -> Write:
        return put(self.table, {**job_key(job.account_id, job.id), **job.model_dump()}, "attribute_not_exists(pk)")

    def get(self, account_id: str, job_id: str) -> JobRecord | None:
        item = self._dynamo.get(self.table, job_key(account_id, job_id))
        return JobRecord.model_validate(item) if item else None

    def newest(self, account_id: str, limit: int, before: str | None) -> tuple[list[JobRecord], str | None]:
        """A page of the business's jobs, newest first, and the sort key the next page starts before."""
        condition = "pk = :pk" + (" AND sk < :before" if before else "")
        items, last = self._dynamo.query(self.table, condition, {":pk": jobs_pk(account_id),
                                                                 **({":before": before} if before else {})},
                                         limit=limit, newest_first=True, consistent=True)
        return [JobRecord.model_validate(item) for item in items], last["sk"] if last else None

    def errors(self, account_id: str, job_id: str, limit: int, after: str | None) -> tuple[list[RowError], str | None]:
        """A page of the job's row errors in row order, and the sort key the next page starts after."""
        values = {":pk": _rows_pk(account_id, job_id), ":low": after or "ERROR#", ":high": "ERROR$"}
        items, last = self._dynamo.query(self.table, "pk = :pk AND sk BETWEEN :low AND :high", values,
                                         limit=limit + (1 if after else 0), consistent=True)
        items = [item for item in items if item["sk"] != after][:limit]
        return [RowError.model_validate(item) for item in items], items[-1]["sk"] if last and items else None

    # -- writes, as transaction operations -----------------------------------------------------

    def row_done(self, job: JobRecord, row: int) -> Write:
        """The row's marker; the transaction fails (RowDone) if the row was done before. Put it first."""
        return put(self.table, {"pk": _rows_pk(job.account_id, job.id), "sk": f"ROW#{_row(row)}",
                                "expires_ttl": job.expires_ttl}, "attribute_not_exists(pk)",
                   on_condition_failure=lambda _old: RowDone())

    def count(self, job: JobRecord, outcome: Outcome, now: int) -> Write:
        """One more row processed with `outcome` (both counters in one update, so `processed`
        always equals the sum of the outcomes), provided the job is still queued or running."""
        return update(self.table, job_key(job.account_id, job.id),
                      "SET #status = :running, started_at = if_not_exists(started_at, :now) "
                      "ADD #processed :one, #outcome :one", "#status IN (:queued, :running)",
                      names={**_STATUS, "#outcome": outcome, "#processed": "processed"},
                      values={**_ACTIVE, ":now": now, ":one": 1},
                      on_condition_failure=lambda _old: JobStopped())

    def unsent(self, job: JobRecord) -> Write:
        """A row counted `sent` whose email then failed: counted `failed` instead, in one update
        (so `processed` still equals the sum of the outcomes), whatever the job's status now."""
        return update(self.table, job_key(job.account_id, job.id), "ADD sent :less, failed :one",
                      values={":less": -1, ":one": 1})

    def row_errors(self, job: JobRecord, errors: list[RowError]) -> list[Write]:
        return [put(self.table, {"pk": _rows_pk(job.account_id, job.id),
                                 "sk": f"ERROR#{_row(error.row)}#{number:03d}",
                                 **error.model_dump(exclude_none=True), "expires_ttl": job.expires_ttl})
                for number, error in enumerate(errors)]

    def plan(self, job: JobRecord, total: int, now: int, status: Literal["running", "done"]) -> Write:
        """An uploaded file's job planned: its total set as it leaves `queued` (`done` at once when
        the file has no rows). Only one planning wins (JobStopped for the others, and for a job
        cancelled before its file landed)."""
        done = ", finished_at = :now" if status == "done" else ""
        return update(self.table, job_key(job.account_id, job.id),
                      f"SET #status = :status, #total = :total, started_at = :now{done}", "#status = :queued",
                      names={**_STATUS, "#total": "total"},
                      values={":queued": "queued", ":status": status, ":total": total, ":now": now},
                      on_condition_failure=lambda _old: JobStopped())

    def finish(self, job: JobRecord, now: int) -> Write:
        """Done, once every row is processed (the counters decide, and only one finishing wins)."""
        return update(self.table, job_key(job.account_id, job.id), "SET #status = :done, finished_at = :now",
                      "#status IN (:queued, :running) AND #processed = #total",
                      names={**_STATUS, "#processed": "processed", "#total": "total"},
                      values={**_ACTIVE, ":done": "done", ":now": now},
                      on_condition_failure=lambda _old: JobStopped())

    def stop(self, job: JobRecord, status: Literal["cancelled", "failed"], now: int, error: str | None = None) -> Write:
        """Cancel (or fail) a job that has not finished (one that has is 409 job_finished), provided
        no row was counted since `job` was read (ChangedMeanwhile: read it again), so the counts of
        its `job.finished` are final."""
        sets = "SET #status = :stopped, finished_at = :now" + (", #error = :error" if error else "")
        return update(self.table, job_key(job.account_id, job.id), sets,
                      "#status IN (:queued, :running) AND #processed = :processed",
                      names={**_STATUS, "#processed": "processed", **({"#error": "error"} if error else {})},
                      values={**_ACTIVE, ":stopped": status, ":now": now, ":processed": job.processed,
                              **({":error": error} if error else {})},
                      on_condition_failure=_stop_refused)


def _stop_refused(old: Item | None) -> HandoverError:
    if old and old.get("status") in ("queued", "running"):
        return ChangedMeanwhile()
    return JobFinished()
