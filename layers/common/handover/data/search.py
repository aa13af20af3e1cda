"""The directory's search items: one per (customer, prefix of a search term), sorted by name.

    ACCT#<acct>#Q#<prefix>    <last>\\x01<first>\\x01<id>          qs ACCT#<acct>#Q#<prefix>#<status>
    ACCT#<acct>#QT#<head>     <rest>\\x01<last>\\x01<first>\\x01<id>  qs ACCT#<acct>#QT#<head>#<status>

`Q#` items exist for every prefix up to the prefix length (the empty one too: every customer);
`QT#` items for terms longer than that (`head` is their first characters, `rest` what follows).
`qs` feeds the `by_search_status` index (keys only), so a status filter is a Query too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handover.data.dynamo import Dynamo, Item, Write, delete, put

STATUS_INDEX = "by_search_status"
SEPARATOR = "\x01"


@dataclass(frozen=True)
class SearchEntry:
    """Where one customer stands in the index: its prefixes and long-term tails, its status and
    its place in name order (`sort_key` ends with the customer's id)."""

    account_id: str
    customer_id: str
    status: str
    sort_key: str
    prefixes: frozenset[str]
    tails: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def items(self) -> dict[tuple[str, str], Item]:
        found: dict[tuple[str, str], Item] = {}
        for prefix in self.prefixes:
            pk = _prefix_pk(self.account_id, prefix)
            found[(pk, self.sort_key)] = {"pk": pk, "sk": self.sort_key, "qs": f"{pk}#{self.status}"}
        for head, rest in self.tails:
            pk = _tail_pk(self.account_id, head)
            sk = f"{rest}{SEPARATOR}{self.sort_key}"
            found[(pk, sk)] = {"pk": pk, "sk": sk, "qs": f"{pk}#{self.status}"}
        return found


def customer_id_of(sort_key: str) -> str:
    return sort_key.rsplit(SEPARATOR, 1)[1]


class SearchStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def move(self, before: SearchEntry | None, after: SearchEntry | None) -> list[Write]:
        """Transaction operations taking the index from `before` to `after`: items that go are
        deleted, new ones put, and kept ones put again only when the status changed."""
        old = before.items() if before else {}
        new = after.items() if after else {}
        status_changed = before is not None and after is not None and before.status != after.status
        writes = [delete(self.table, {"pk": pk, "sk": sk}) for (pk, sk) in old.keys() - new.keys()]
        writes += [put(self.table, item) for key, item in new.items() if key not in old or status_changed]
        return writes

    def page(self, account_id: str, prefix: str, status: str | None, limit: int,
             after: str | None) -> tuple[list[str], bool]:
        """Sort keys of the next `limit` customers in name order after `after`, and whether more follow."""
        pk = _prefix_pk(account_id, prefix)
        condition = ("qs = :key" if status else "pk = :key") + (" AND sk > :after" if after else "")
        values = {":key": f"{pk}#{status}" if status else pk, **({":after": after} if after else {})}
        items, _ = self._dynamo.query(self.table, condition, values, index=STATUS_INDEX if status else None,
                                      limit=limit + 1, projection="sk", consistent=not status)
        return [item["sk"] for item in items[:limit]], len(items) > limit

    def long_matches(self, account_id: str, head: str, rest: str, status: str | None) -> list[str]:
        """Sort keys of every customer with a term that starts with `head` + `rest` (a query longer
        than the prefix length), in no particular order."""
        pk = _tail_pk(account_id, head)
        condition = ("qs = :key" if status else "pk = :key") + " AND begins_with(sk, :rest)"
        values = {":key": f"{pk}#{status}" if status else pk, ":rest": rest}
        found: list[str] = []
        start: Item | None = None
        while True:
            items, start = self._dynamo.query(self.table, condition, values, index=STATUS_INDEX if status else None,
                                              projection="sk", consistent=not status, start_key=start)
            found += [item["sk"].split(SEPARATOR, 1)[1] for item in items]
            if start is None:
                return found


def _prefix_pk(account_id: str, prefix: str) -> str:
    return f"ACCT#{account_id}#Q#{prefix}"


def _tail_pk(account_id: str, head: str) -> str:
    return f"ACCT#{account_id}#QT#{head}"
