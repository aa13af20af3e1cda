"""The platform's roll of businesses, beside their search items (data/search.py, scope `ACCOUNTS`):

    ACCOUNTS        COUNTS                    how many businesses stand at each status:
                                              new, active, inactive, locked (atomic counters)
    ACCOUNTS#DUE    <changes_at>#<acct>       a business whose status the calendar alone will
                                              change at `changes_at` (epoch seconds, 12 digits)

Both move in the same transaction as the business item's `status` and `changes_at`, so the
counts always add up to the statuses the businesses hold, and whatever is due is one Query away.
"""

from __future__ import annotations

from handover.data.dynamo import Dynamo, Write, delete, put, update
from handover.data.wire import Item

STATUSES = ("new", "active", "inactive", "locked")


def counts_key() -> Item:
    return {"pk": "ACCOUNTS", "sk": "COUNTS"}


def due_key(account_id: str, changes_at: int) -> Item:
    return {"pk": "ACCOUNTS#DUE", "sk": f"{changes_at:012d}#{account_id}"}


class RosterStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def counts(self) -> dict[str, int]:
        item = self._dynamo.get(self.table, counts_key()) or {}
        return {status: int(item.get(status, 0)) for status in STATUSES}

    def overdue(self, now: int, limit: int) -> list[tuple[str, int]]:
        """Businesses whose status the calendar has changed by `now`, with when, oldest first."""
        items, _ = self._dynamo.query(self.table, "pk = :pk AND sk < :until",
                                      {":pk": "ACCOUNTS#DUE", ":until": f"{now + 1:012d}"}, limit=limit,
                                      consistent=True)
        return [(item["account_id"], int(item["sk"].split("#", 1)[0])) for item in items]

    # -- writes, as transaction operations -----------------------------------------------------

    def count(self, before: str | None, after: str | None) -> list[Write]:
        """One business leaves status `before` (None: it is new to the roll) for `after`."""
        if before == after:
            return []
        adds = {name: by for name, by in ((before, -1), (after, 1)) if name is not None}
        names = {f"#c{number}": name for number, name in enumerate(adds)}
        values = {f":c{number}": by for number, by in enumerate(adds.values())}
        expression = "ADD " + ", ".join(f"#c{number} :c{number}" for number in range(len(adds)))
        return [update(self.table, counts_key(), expression, names=names, values=values)]

    def reschedule(self, account_id: str, before: int | None, after: int | None) -> list[Write]:
        """Move the business's due item from `before` to `after` (None: none)."""
        if before == after:
            return []
        writes = [delete(self.table, due_key(account_id, before))] if before is not None else []
        if after is not None:
            writes.append(put(self.table, {**due_key(account_id, after), "account_id": account_id}))
        return writes
