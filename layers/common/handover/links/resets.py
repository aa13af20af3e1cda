"""Password resets that start without a session: forgot-password, and an operator sending a
business owner a reset link.

Forgot-password answers before it looks anything up: the request only takes a per-source slot
and queues the work, so its answer and its timing are the same whether the email exists, is
unclaimed, locked or unknown. The worker then sends a reset link to an existing customer or
staff member (claimed or not: for an unclaimed customer the link sets a first password and so
claims the account), at most three reset emails per address per hour; everything else (an
address known to be undeliverable among it) is dropped silently.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from handover.accounts.history import history_entry
from handover.data.directory import Directory
from handover.data.history import HistoryStore
from handover.data.limits import LimitStore
from handover.data.links import LinkRecord
from handover.data.principals import CustomerRecord
from handover.errors import (
    AccountLocked,
    DependencyUnavailable,
    EmailInvalid,
    EmailUndeliverable,
    NotFound,
    RateLimited,
)
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller, require_clearance, require_operator
from handover.links.mail import LinkMailer
from handover.mail.addresses import normalise_email
from handover.queue import WorkQueue

FORGOT_PER_SOURCE_PER_MINUTE = 10
RESET_EMAILS_PER_ADDRESS_PER_HOUR = 3

Outcome = Literal["sent", "unknown", "locked", "undeliverable", "throttled"]


class PasswordResets:
    def __init__(self, *, directory: Directory, link_mailer: LinkMailer, limits: LimitStore, queue: WorkQueue,
                 history: HistoryStore, retention_days: int, clock: Callable[[], float] = time.time) -> None:
        self._directory = directory
        self._link_mailer = link_mailer
        self._limits = limits
        self._queue = queue
        self._history = history
        self._retention_days = retention_days
        self._clock = clock

    def request(self, realm: str, account: str | None, email: str, source: str) -> None:
        """Forgot-password: queue the work; only the source's rate can make this fail."""
        retry_after = self._limits.take("forgot-source", source, limit=FORGOT_PER_SOURCE_PER_MINUTE,
                                        window_seconds=60, now=self._clock())
        if retry_after:
            raise RateLimited(retry_after)
        self._queue.send({"realm": realm, "account": account, "email": email, "requested_at": int(self._clock())})

    def send_requested_link(self, request: dict[str, Any]) -> Outcome:
        """The worker's half of forgot-password."""
        realm = request.get("realm")
        if realm not in ("customer", "staff") or not request.get("account"):
            return "unknown"
        try:
            email = normalise_email(str(request.get("email", "")))
        except EmailInvalid:
            return "unknown"
        account = self._directory.accounts.find(str(request["account"]))
        if account is None:
            return "unknown"
        principal, _ = self._directory.principals.login_candidates(realm, account.id, email)
        if principal is None:
            return "unknown"
        if (isinstance(principal, CustomerRecord) and principal.status == "locked") or (
                realm == "staff" and account.locked):
            return "locked"
        if principal.email_undeliverable:
            return "undeliverable"
        address = f"{realm}#{account.id}#{email}"
        if self._limits.take("reset-email", address, limit=RESET_EMAILS_PER_ADDRESS_PER_HOUR, window_seconds=3600,
                             now=self._clock()):
            return "throttled"
        try:
            self._link_mailer.send("reset", account, principal)
        except EmailUndeliverable:
            # A bounce landed between the read and the write: nothing was sent, nothing to retry.
            self._limits.give_back("reset-email", address, window_seconds=3600, now=self._clock())
            return "undeliverable"
        except DependencyUnavailable:
            # Not sent, so not counted: SQS retries the message (and, failing that, keeps it aside).
            self._limits.give_back("reset-email", address, window_seconds=3600, now=self._clock())
            raise
        return "sent"

    def send_owner_reset(self, caller: Caller, account_id: str, receipt: Receipt = NO_KEY) -> LinkRecord:
        """An operator sends a business's owner a reset link (recorded in the business's history)."""
        require_operator(caller)
        account = self._directory.accounts.get(account_id)
        if account is None:
            raise NotFound("No such business")
        require_clearance(caller, account)
        if account.locked:
            raise AccountLocked()
        owner = self._directory.principals.get("staff", account.id, account.owner_id or "")
        if owner is None:
            raise NotFound("The business has no owner")
        entry = history_entry(account_id=account.id, actor=caller.actor, action="owner.password_reset_sent",
                              target={"type": "staff", "id": owner.id}, retention_days=self._retention_days,
                              now=self._clock())
        return self._link_mailer.send("reset", account, owner, extra_writes=[self._history.add(entry)], receipt=receipt)
