"""Bulk invites: the planner behind POST /v1/customers/invites. It finds the customers (the ids
given, or every customer with a status through the directory's status index: Queries, page by
page, never a Scan), writes the job (`total`: the customers queued) and queues them in batches
for the invite worker (jobs/invite_rows.py).

Each customer is a row of the job, numbered from 1 in the order queued (the ids' order, or name
order for a status). An id with no customer is counted by the worker as `failed` with the error
`not_found` (it may also have been a customer deleted since), so `total` is the ids' count.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from handover.contract.jobs import InvitesRequest
from handover.data.directory import Directory
from handover.data.jobs import JobRecord
from handover.data.search import member_id_of
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller
from handover.jobs.jobs import Jobs
from handover.queue import WorkQueue

CUSTOMERS_PER_MESSAGE = 25  # a message is worked off within the worker's time at the send rate
PAGE = 1000


class Invites:
    def __init__(self, *, jobs: Jobs, directory: Directory, queue: WorkQueue) -> None:
        self._jobs = jobs
        self._directory = directory
        self._queue = queue

    def start(self, caller: Caller, request: InvitesRequest, receipt: Receipt = NO_KEY) -> JobRecord:
        ids = request.ids if request.ids is not None else self._with_status(caller.account_id, str(request.status))
        job = self._jobs.new(caller, "invite", len(ids))
        return self._jobs.launch(job, messages(job, ids), self._queue, receipt)

    def _with_status(self, account_id: str, status: str) -> list[str]:
        """Every customer of the business with the status, in name order (the status index)."""
        found: list[str] = []
        after: str | None = None
        while True:
            keys, more = self._directory.search.page(f"ACCT#{account_id}", "", status, PAGE, after)
            found += [member_id_of(key) for key in keys]
            if not more or not keys:
                return found
            after = keys[-1]


def messages(job: JobRecord, ids: list[str]) -> Iterator[dict[str, Any]]:
    for start in range(0, len(ids), CUSTOMERS_PER_MESSAGE):
        yield {"account_id": job.account_id, "job_id": job.id,
               "customers": [{"row": row, "id": customer_id}
                             for row, customer_id in enumerate(ids[start:start + CUSTOMERS_PER_MESSAGE],
                                                               start=start + 1)]}
