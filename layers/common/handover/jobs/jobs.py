"""Jobs as staff see them (GET /v1/jobs, /v1/jobs/{id}, its errors, cancel), and how a job ends.

Counts are the job item's atomic counters, never counted from items. A job ends once: `done` when
a worker's write finds every row processed, `cancelled` or `failed` otherwise; each of those is a
conditional write made with its `job.finished` event in one transaction, so the event is raised
exactly when the job ended.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

from handover.contract.events import EventActor, EventPerson, JobFinishedData, JobSummary
from handover.contract.jobs import JobEnvelope, JobView
from handover.customers.revisions import ATTEMPTS
from handover.data.dynamo import Dynamo, Write
from handover.data.jobs import RETENTION_SECONDS, JobActor, JobKind, JobRecord, JobStore, RowError
from handover.errors import ChangedMeanwhile, DependencyUnavailable, JobFinished, JobStopped, NotFound
from handover.events.outbox import Outbox
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller
from handover.ids import new_id
from handover.paging import encode_position, position
from handover.queue import WorkQueue


class Jobs:
    def __init__(self, *, dynamo: Dynamo, store: JobStore, outbox: Outbox,
                 clock: Callable[[], float] = time.time) -> None:
        self.dynamo = dynamo
        self.store = store
        self._outbox = outbox
        self._clock = clock

    def page(self, caller: Caller, limit: int, cursor: str | None) -> tuple[list[JobRecord], str | None]:
        account_id = caller.account_id
        jobs, last = self.store.newest(account_id, limit, position(cursor, account_id))
        return [self._settled(job) for job in jobs], encode_position(account_id, last)

    def visible(self, caller: Caller, job_id: str) -> JobRecord:
        job = self.store.get(caller.account_id, job_id)
        if job is None:
            raise NotFound("No such job")
        return self._settled(job)

    def _settled(self, job: JobRecord) -> JobRecord:
        """An upload's job whose file never landed ends `failed` when it is next read after its due
        time (a file that does land later finds it failed and is not planned)."""
        if job.status != "queued" or job.file_due_at is None or self._clock() < job.file_due_at:
            return job
        failed = self.fail(job, "The file was not uploaded before its upload URL expired")
        return failed or self.store.get(job.account_id, job.id) or job  # read again only if it ended meanwhile

    def errors(self, caller: Caller, job_id: str, limit: int, cursor: str | None) -> tuple[list[RowError], str | None]:
        account_id = self.visible(caller, job_id).account_id
        errors, last = self.store.errors(account_id, job_id, limit, position(cursor, account_id))
        return errors, encode_position(account_id, last)

    def cancel(self, caller: Caller, job_id: str) -> JobRecord:
        """Rows not processed yet are not processed (each row's write needs the job running); 409
        job_finished once it ended."""
        return self._stop(self.visible(caller, job_id), "cancelled")

    def fail(self, job: JobRecord, error: str) -> JobRecord | None:
        """End the job `failed` with `error` (batches still queued find it so and do nothing): the
        failed job, or None when it had ended already."""
        try:
            return self._stop(job, "failed", error)
        except JobFinished:
            return None

    def _stop(self, job: JobRecord, status: Literal["cancelled", "failed"], error: str | None = None) -> JobRecord:
        """End a job that has not finished, with its `job.finished`, whose counts must be final: if a
        row was counted meanwhile, read the job again and decide again."""
        for attempt in range(ATTEMPTS):
            now = int(self._clock())
            try:
                self.dynamo.transact([self.store.stop(job, status, now, error), self.finished_event(job, status)])
            except ChangedMeanwhile:
                if attempt == ATTEMPTS - 1:
                    raise
                job = self.store.get(job.account_id, job.id) or job
                continue
            return job.model_copy(update={"status": status, "finished_at": now, "error": error})
        raise AssertionError("unreachable")

    def new(self, caller: Caller, kind: JobKind, total: int, **options: Any) -> JobRecord:
        """A job the caller starts (an operator acting as staff, under login-as, is kept too)."""
        now = int(self._clock())
        return JobRecord(id=new_id(now), account_id=caller.account_id, kind=kind, status="queued", total=total,
                         created_by=JobActor(**caller.actor.model_dump(),
                                             on_behalf_of=caller.on_behalf_of.model_dump() if caller.on_behalf_of
                                             else None),
                         created_at=now, expires_ttl=now + RETENTION_SECONDS, **options)

    def launch(self, job: JobRecord, messages: Iterable[dict[str, Any]], queue: WorkQueue,
               receipt: Receipt = NO_KEY) -> JobRecord:
        """Write the job (with the Idempotency-Key's answer) and queue its batches for its worker.
        A job with nothing to do is done as it starts; one whose batches cannot all be queued
        fails (the batches already queued find it failed and do nothing)."""
        store = self.store
        if not job.total:
            now = job.created_at
            done = job.model_copy(update={"status": "done", "started_at": now, "finished_at": now})
            self.dynamo.transact([*receipt.writes(answer(done)), store.add(done), self.finished_event(done, "done")])
            return done
        self.dynamo.transact([*receipt.writes(answer(job)), store.add(job)])
        try:
            queue.send_many(list(messages))
        except DependencyUnavailable:
            self.fail(job, "The job could not be queued")
            raise
        return job

    def finish_if_complete(self, account_id: str, job_id: str) -> bool:
        """Mark the job done if every row is processed; whether this call did."""
        job = self.store.get(account_id, job_id)
        if job is None or job.status not in ("queued", "running") or job.processed < job.total:
            return False
        try:
            self.dynamo.transact([self.store.finish(job, int(self._clock())), self.finished_event(job, "done")])
        except JobStopped:  # someone else ended it
            return False
        return True

    def finished_event(self, job: JobRecord, status: str) -> Write:
        summary = JobSummary.model_validate({**job.model_dump(), "status": status})
        by = job.created_by
        actor = EventActor(realm=by.realm, id=by.id, email=by.email,
                           on_behalf_of=EventPerson(**by.on_behalf_of) if by.on_behalf_of else None)
        return self._outbox.event("job.finished", account_id=job.account_id, actor=actor,
                                  data=JobFinishedData(job=summary))


def answer(job: JobRecord) -> dict[str, Any]:
    """What a request that started a job answers (and what its Idempotency-Key keeps)."""
    return JobEnvelope(job=JobView.of(job)).model_dump(mode="json")
