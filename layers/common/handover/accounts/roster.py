"""The operators' roll of client businesses: their counts by status, and the list filtered by
status, tag, a query or the caller's assignments, in name order.

Every business has search items (data/search.py) in the scope `ACCOUNTS`, found by a prefix of
its name, its nickname or its owner's email, and one item in the scope of each of its tags and
of each operator assigned to it; each item carries the business's status, so any one filter,
with or without `status`, is one Query, whatever the number of businesses. The counts are atomic
counters (data/roster.py) moved in the same transaction as the status they count.

Time alone changes a status (handover.accounts.standing): each business's next change is a due
item, and whatever is due is re-derived before the list or the counts are read (and by the daily
cleanup, so little is ever due): so both are right at every read, under concurrent changes,
without a scan. Every write that moves a business on the roll is conditioned on the revision it
was computed from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from handover.accounts.standing import changes_at, status_of
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, FailureFactory, Write
from handover.data.principals import StaffRecord
from handover.data.search import SearchEntry, entry, member_id_of, normalise, sort_key
from handover.data.wire import Item
from handover.errors import ChangedMeanwhile, HandoverError, NotFound, StaffLimitReached, StorageUnavailable
from handover.paging import encode_position, position

SCOPE = "ACCOUNTS"
# A staff login or a booking is written down when the last one written is older than this.
ACTIVITY_GRAIN_SECONDS = 3600
SETTLE_BATCH = 25


def tag_scope(tag: str) -> str:
    return f"{SCOPE}#TAG#{normalise(tag)}"


def operator_scope(operator_id: str) -> str:
    return f"{SCOPE}#OPERATOR#{operator_id}"


def entries(account: AccountRecord) -> list[SearchEntry]:
    """Where the business stands in each scope it belongs to."""
    place = sort_key(account.name, account.id)
    terms = [account.name, account.nickname, *([account.owner_email] if account.owner_email else [])]
    return [entry(SCOPE, account.status, place, terms),
            *(entry(tag_scope(tag), account.status, place) for tag in account.tags),
            *(entry(operator_scope(operator), account.status, place) for operator in account.operators)]


def standing(account: AccountRecord, now: float) -> AccountRecord:
    """The business with the status and the next change that `now` gives it."""
    return account.model_copy(update={"status": status_of(account, now), "changes_at": changes_at(account, now)})


class Roster:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._clock = clock

    def opening(self, account: AccountRecord) -> list[Write]:
        """What a new business (with its `standing`) adds to the transaction that opens it."""
        return [*self._directory.roster.count(None, account.status),
                *self._directory.roster.reschedule(account.id, None, account.changes_at),
                *self._directory.search.move([], entries(account))]

    def revision(self, before: AccountRecord, changes: Mapping[str, Any], now: float,
                 on_stale: FailureFactory) -> tuple[AccountRecord, list[Write]]:
        """The business after `changes`, and the writes that make it so: its item (if it is still
        at the revision read), its counts, its due item and its search items."""
        after = standing(before.model_copy(update=dict(changes)), now)
        stored = {**changes, "status": after.status, "changes_at": after.changes_at}
        return after.model_copy(update={"revision": before.revision + 1}), [
            self._directory.accounts.revise(before, stored, on_stale),
            *self._directory.roster.count(before.status, after.status),
            *self._directory.roster.reschedule(before.id, before.changes_at, after.changes_at),
            *self._directory.search.move(entries(before), entries(after)),
        ]

    def settle(self, batches: int = 4) -> int:
        """Re-derive the status of the businesses the calendar has moved (up to `batches` Queries
        of them); how many moved. One that changes meanwhile is left to the next reader."""
        now = int(self._clock())
        moved = 0
        for _batch in range(batches):
            due = self._directory.roster.overdue(now, SETTLE_BATCH)
            accounts = {account.id: account
                        for account, _owner in self._directory.accounts.with_owners([found for found, _at in due])}
            for account_id, at in due:
                account = accounts.get(account_id)
                if account is None or account.changes_at != at:  # a due item its business has left
                    self._attempt(self._directory.roster.reschedule(account_id, at, None))
                    continue
                _after, writes = self.revision(account, {}, now, _moved_meanwhile)
                moved += self._attempt(writes)
            if len(due) < SETTLE_BATCH:
                break
        return moved

    def touch(self, account: AccountRecord) -> None:
        """A staff login or a booking: the business is active from now (at most one write an hour)."""
        now = int(self._clock())
        if account.last_active_at is not None and now - account.last_active_at < ACTIVITY_GRAIN_SECONDS:
            return
        _after, writes = self.revision(account, {"last_active_at": now}, now, _moved_meanwhile)
        self._attempt(writes)

    def page(self, *, scope: str, q: str | None, status: str | None, limit: int,
             cursor: str | None) -> tuple[list[tuple[AccountRecord, StaffRecord | None]], str | None]:
        """The businesses in `scope` that `q` finds, with `status`, in name order, and their owners."""
        where = f"{scope}|{status or ''}|{normalise(q or '')}"
        keys, more = self._directory.search.find(scope, q, status, limit, position(cursor, where))
        pairs = self._directory.accounts.with_owners([member_id_of(key) for key in keys])
        if status:
            # The status index trails the businesses by a moment: leave out whichever just left it.
            pairs = [pair for pair in pairs if status_of(pair[0], self._clock()) == status]
        return pairs, encode_position(where, keys[-1]) if more else None

    def counts(self) -> dict[str, int]:
        return self._directory.roster.counts()

    def _attempt(self, writes: list[Write]) -> bool:
        try:
            self._dynamo.transact(writes)
        except HandoverError:
            return False
        return True


def _moved_meanwhile(_old: Item | None) -> HandoverError:
    return StorageUnavailable("The business changed meanwhile; please retry")


def stale_account(expected: AccountRecord, staff_slots: int | None = None) -> FailureFactory:
    """What a failed condition on a business read as `expected` (and given `staff_slots`) means."""

    def failure(old: Item | None) -> HandoverError:
        if old is None:
            return NotFound("No such business")
        if old.get("revision", 0) != expected.revision or old.get("token_version", 1) != expected.token_version:
            return ChangedMeanwhile()
        if staff_slots is not None and old.get("staff_count", 1) > staff_slots:
            return StaffLimitReached("The business has more staff than that; remove some first")
        return StorageUnavailable("The business changed meanwhile; please retry")

    return failure
