"""Jobs as staff see them (GET /v1/jobs, /v1/jobs/{id}, its errors, cancel), and how a job ends.

Counts are the job item's atomic counters, never counted from items. A job ends once: `done` when
a worker's write finds every row processed, `cancelled` or `failed` otherwise; each of those is a
conditional write made with its `job.finished` event in one transaction, so the event is raised
exactly when the job ended.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.contract.events import EventActor, EventPerson, JobFinishedData, JobSummary
from handover.customers.revisions import ATTEMPTS
from handover.data.dynamo import Dynamo, Write
from handover.data.jobs import JobRecord, JobStore, RowError
from handover.errors import ChangedMeanwhile, JobStopped, NotFound
from handover.events.outbox import Outbox
from handover.identity.callers import Caller
from handover.paging import encode_position, position


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
        return jobs, encode_position(account_id, last)

    def visible(self, caller: Caller, job_id: str) -> JobRecord:
        job = self.store.get(caller.account_id, job_id)
        if job is None:
            raise NotFound("No such job")
        return job

    def errors(self, caller: Caller, job_id: str, limit: int, cursor: str | None) -> tuple[list[RowError], str | None]:
        account_id = self.visible(caller, job_id).account_id
        errors, last = self.store.errors(account_id, job_id, limit, position(cursor, account_id))
        return errors, encode_position(account_id, last)

    def cancel(self, caller: Caller, job_id: str) -> JobRecord:
        """Rows not processed yet are not processed (each row's write needs the job running); 409
        job_finished once it ended."""
        for attempt in range(ATTEMPTS):
            job = self.visible(caller, job_id)
            now = int(self._clock())
            try:
                self.dynamo.transact([self.store.stop(job, "cancelled", now), self.finished_event(job, "cancelled")])
            except ChangedMeanwhile:  # a row was counted meanwhile: the event's counts must be final
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            return job.model_copy(update={"status": "cancelled", "finished_at": now})
        raise AssertionError("unreachable")

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
