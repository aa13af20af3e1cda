"""Locking customers (staff) and whole businesses (operators).

A lock retires every token and link of whoever it locks, so live sessions die on their next
request; unlocking retires them again, so nothing issued before the lock comes back. Locking a
business stops its owner and staff (impersonation tokens too); its customers are not affected.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.accounts.history import history_entry
from handover.accounts.roster import Roster, stale_account
from handover.contract.events import (
    AccountData,
    AccountLockedData,
    AccountSummary,
    CustomerData,
    CustomerLockedData,
    CustomerSummary,
)
from handover.customers.profiles import Customers
from handover.customers.revisions import settle, stale
from handover.customers.search import index_writes
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo
from handover.data.history import HistoryStore
from handover.data.principals import CustomerRecord
from handover.events.outbox import event_actor
from handover.identity.callers import Caller, visible_account


class Locks:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, customers: Customers, history: HistoryStore,
                 roster: Roster, retention_days: int, clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._roster = roster
        self._directory = directory
        self._customers = customers
        self._history = history
        self._retention_days = retention_days
        self._clock = clock

    def lock_customer(self, caller: Caller, customer_id: str, reason: str | None) -> CustomerRecord:
        return settle(lambda customer: self._lock(caller, customer, reason),
                      read=lambda: self._customers.visible(caller, customer_id))

    def unlock_customer(self, caller: Caller, customer_id: str) -> CustomerRecord:
        return settle(lambda customer: self._unlock(caller, customer),
                      read=lambda: self._customers.visible(caller, customer_id))

    def _lock(self, caller: Caller, customer: CustomerRecord, reason: str | None) -> CustomerRecord:
        if customer.status == "locked":
            return customer
        now = int(self._clock())
        locked = customer.model_copy(update={"status": "locked", "status_before_lock": customer.status,
                                             "token_version": customer.token_version + 1,
                                             "link_version": customer.link_version + 1, "updated_at": now,
                                             "revision": customer.revision + 1})
        self._dynamo.transact([
            self._directory.customers.lock(customer, reason, now, stale(customer)),
            *index_writes(self._directory.search, customer, locked),
            *self._customers.audit(caller, "customer.locked", customer.id, reason=reason),
            self._customers.raise_event(caller, "customer.locked",
                                        CustomerLockedData(customer=CustomerSummary.of(locked), reason=reason)),
        ])
        return locked

    def _unlock(self, caller: Caller, customer: CustomerRecord) -> CustomerRecord:
        if customer.status != "locked":
            return customer
        # The lock revoked every link, so an invite outstanding before it is outstanding no more.
        restored = "unclaimed" if customer.status_before_lock in (None, "invited") else customer.status_before_lock
        if restored == "unclaimed" and customer.password_hash and customer.email_verified:
            restored = "active"
        now = int(self._clock())
        unlocked = customer.model_copy(update={"status": restored, "status_before_lock": None,
                                               "token_version": customer.token_version + 1,
                                               "link_version": customer.link_version + 1, "updated_at": now,
                                               "revision": customer.revision + 1})
        self._dynamo.transact([
            self._directory.customers.unlock(customer, restored, now, stale(customer)),
            *index_writes(self._directory.search, customer, unlocked),
            *self._customers.audit(caller, "customer.unlocked", customer.id),
            self._customers.raise_event(caller, "customer.unlocked",
                                        CustomerData(customer=CustomerSummary.of(unlocked))),
        ])
        return unlocked

    def set_account_lock(self, caller: Caller, account_id: str, locked: bool, reason: str | None) -> AccountRecord:
        # A staff login or a booking may move the business meanwhile: then it is read and decided again.
        return settle(lambda account: self._set_account_lock(caller, account, locked, reason),
                      read=lambda: visible_account(caller, self._directory, account_id))

    def _set_account_lock(self, caller: Caller, account: AccountRecord, locked: bool,
                          reason: str | None) -> AccountRecord:
        entry = history_entry(account_id=account.id, actor=caller.actor,
                              action="account.locked" if locked else "account.unlocked",
                              target={"type": "account", "id": account.id},
                              details={"reason": reason} if reason else {}, retention_days=self._retention_days,
                              now=self._clock())
        data = (AccountLockedData(account=AccountSummary.of(account), reason=reason) if locked
                else AccountData(account=AccountSummary.of(account)))
        # Either way every staff token issued before dies.
        changed, writes = self._roster.revision(
            account, {"locked": locked, "locked_reason": (reason or "") if locked else None,
                      "token_version": account.token_version + 1}, self._clock(), stale_account(account))
        self._dynamo.transact([*writes, self._history.add(entry),
                               self._customers.outbox.event("account.locked" if locked else "account.unlocked",
                                                            account_id=account.id, actor=event_actor(caller.actor),
                                                            data=data)])
        return changed
