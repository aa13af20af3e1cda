"""The invite worker: sends one queued batch of a bulk invite's customers (jobs/invites.py).

Each customer gets the single invite (`Customers.invite_writes`: the same rules, the link issued
and every earlier link revoked, `customer.invited`). A claimed (`active`), locked or undeliverable
customer is `skipped`; an id with no customer `failed` (`not_found`). The invite's writes, the
row's marker and its `sent` count are one transaction (jobs/rows.py), and the email goes only
after it commits: a retried batch finds the marker and sends no second email, and a cancelled
job's later rows are not sent. An email that then fails (SES) is counted `failed` instead of
`sent` with its error, the customer's `last_link` put back as the single invite does; its marker
stays, so it is never sent twice (invite them again, singly or in a new job).

Emails go no faster than the configured rate, whatever the number of jobs and workers (SendRate).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

from handover.customers.profiles import Customers
from handover.customers.revisions import settle
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.jobs import JobRecord, RowError
from handover.data.limits import LimitStore
from handover.data.principals import CustomerRecord
from handover.errors import AlreadyClaimed, CustomerLocked, EmailUndeliverable, HandoverError, SendRateBusy
from handover.jobs.jobs import Jobs
from handover.jobs.rows import JobRows, job_actor
from handover.links.mail import LinkMailer

logger = Logger(child=True)
MESSAGE_SECONDS = 60  # how long a batch waits for the rate at most, then it is retried later
NOT_SENDABLE = (AlreadyClaimed, CustomerLocked, EmailUndeliverable)


class SendRate:
    """At most `per_second` bulk emails in any one second, across every job and worker: a shared
    fixed-window counter in DynamoDB (one-second windows). A full window is waited out."""

    def __init__(self, limits: LimitStore, per_second: int, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._limits = limits
        self._per_second = per_second
        self._clock = clock
        self._sleep = sleep

    def take(self, deadline: float) -> None:
        """A slot in the current second; SendRateBusy if none comes before `deadline`."""
        while True:
            now = self._clock()
            if self._limits.take("email_send", "bulk", limit=self._per_second, window_seconds=1, now=now) is None:
                return
            if now >= deadline:
                raise SendRateBusy()
            self._sleep(math.floor(now) + 1 - now + 0.001)  # into the next window


class InviteRows(JobRows):
    entries = "customers"

    def __init__(self, *, directory: Directory, customers: Customers, link_mailer: LinkMailer, jobs: Jobs,
                 rate: SendRate, clock: Callable[[], float] = time.time) -> None:
        super().__init__(jobs=jobs, clock=clock)
        self._directory = directory
        self._customers = customers
        self._link_mailer = link_mailer
        self._rate = rate
        self._account: AccountRecord | None = None
        self._deadline = 0.0

    def _begin(self, job: JobRecord) -> None:
        self._account = self._directory.accounts.get(job.account_id)
        self._deadline = self._clock() + MESSAGE_SECONDS

    def _row(self, job: JobRecord, entry: dict[str, Any]) -> None:
        row, customer_id = entry["row"], entry["id"]
        settle(lambda customer: self._invite(job, row, customer_id, customer),
               read=lambda: self._directory.customers.get(job.account_id, customer_id))

    def _invite(self, job: JobRecord, row: int, customer_id: str, customer: CustomerRecord | None) -> None:
        if customer is None or self._account is None:
            return self._failed(job, [RowError(row=row, column="id", code="not_found",
                                               detail=f"No customer {customer_id}")])
        try:
            letter, writes = self._customers.invite_writes(self._account, customer, job_actor(job))
        except NOT_SENDABLE:
            return self._counted(job, row, "skipped")
        self._rate.take(self._deadline)
        try:
            self._counted(job, row, "sent", writes)
        except NOT_SENDABLE:  # claimed, locked or bounced since it was read
            return self._counted(job, row, "skipped")
        try:
            self._link_mailer.deliver(letter)
        except Exception as error:
            code = error.code if isinstance(error, HandoverError) else "email_unavailable"
            logger.warning("bulk invite not sent", extra={"job_id": job.id, "customer_id": customer.id,
                                                          "code": code})
            store = self._jobs.store
            self._jobs.dynamo.transact([store.unsent(job), *store.row_errors(job, [RowError(
                row=row, column="id", code=code, detail=f"The invite to {customer_id} could not be sent")])])
        return None
