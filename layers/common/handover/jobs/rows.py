"""What every job worker shares (imports, jobs/import_rows.py; bulk invites, jobs/invite_rows.py):
a queued batch is `{account_id, job_id, <entries>}`, each entry one row of the job.

A row's outcome is one transaction: its marker (written only if absent, and first, so a row done
before is recognised: RowDone), its counter and `processed` (only while the job is queued or
running: a cancelled job's remaining rows are not processed: JobStopped), and the row's own writes
or its errors. So a retried batch processes no row twice and counts none twice, and a cancel stops
the rows after it. The batch's last row done finishes the job (and raises `job.finished` once).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from handover.contract.events import EventActor
from handover.data.dynamo import Write
from handover.data.history import Actor
from handover.data.jobs import JobRecord, Outcome, RowError
from handover.errors import JobStopped, RowDone
from handover.events.outbox import event_actor
from handover.jobs.jobs import Jobs


class JobRows:
    """A job's worker: `apply` a batch; subclasses say what one row does (`_row`)."""

    entries = "rows"  # the message's key holding the batch's entries

    def __init__(self, *, jobs: Jobs, clock: Callable[[], float] = time.time) -> None:
        self._jobs = jobs
        self._clock = clock

    def apply(self, message: dict[str, Any]) -> int:
        """Process the batch's rows; how many this call processed (a row done before is not). A
        storage failure propagates: the batch is retried, and the rows done stay done."""
        job = self._jobs.store.get(message["account_id"], message["job_id"])
        if job is None or job.status not in ("queued", "running"):
            return 0
        self._begin(job)
        applied = 0
        for entry in message[self.entries]:
            try:
                self._row(job, entry)
                applied += 1
            except RowDone:
                continue
            except JobStopped:  # cancelled (or failed) meanwhile: the rest are not processed
                return applied
        self._jobs.finish_if_complete(job.account_id, job.id)
        return applied

    def _begin(self, job: JobRecord) -> None:
        """Anything read once for the whole batch."""

    def _row(self, job: JobRecord, entry: dict[str, Any]) -> None:
        raise NotImplementedError

    def _counted(self, job: JobRecord, row: int, outcome: Outcome, writes: list[Write] | None = None) -> None:
        store = self._jobs.store
        self._jobs.dynamo.transact([store.row_done(job, row), store.count(job, outcome, int(self._clock())),
                                    *(writes or [])])

    def _failed(self, job: JobRecord, errors: list[RowError]) -> None:
        self._counted(job, errors[0].row, "failed", self._jobs.store.row_errors(job, errors))


def job_actor(job: JobRecord) -> EventActor:
    """Who the job's writes are by: whoever started it (an operator acting as them, under login-as)."""
    by = job.created_by
    return event_actor(Actor(realm=by.realm, id=by.id, email=by.email),
                       Actor.model_validate(by.on_behalf_of) if by.on_behalf_of else None)
