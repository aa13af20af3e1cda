"""Search items: one per (member, prefix of a search term) within a scope, sorted by name.

    <scope>#Q#<prefix>    <sort key>\\x01<id>          qs <scope>#Q#<prefix>#<status>
    <scope>#QT#<head>     <rest>\\x01<sort key>\\x01<id>  qs <scope>#QT#<head>#<status>

A scope is what is searched: a business's customers (`ACCT#<acct>`, sorted by last name then
first name), or the platform's businesses (`ACCOUNTS`, and the one-prefix scopes of a tag or an
operator's assignments, sorted by name; see handover.accounts.roster).
`Q#` items exist for every prefix up to the prefix length (the empty one too: every member);
`QT#` items for terms longer than that (`head` is their first characters, `rest` what follows).
`qs` feeds the `by_search_status` index (keys only), so a status filter is a Query too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from handover.data.dynamo import Dynamo, Write, delete, put
from handover.data.wire import Item

STATUS_INDEX = "by_search_status"
SEPARATOR = "\x01"
# Prefixes longer than this are not stored one by one: a member's items stay within one
# transaction's budget even when every one of its three terms is long.
PREFIX_LENGTH = 12
# DynamoDB sort keys hold at most 1,024 bytes: names and tails are clipped (by bytes, not
# characters) far beyond anything a person types, so the keys always fit.
NAME_BYTES = 300
REST_BYTES = 350


def normalise(text: str) -> str:
    """Case-, accent- and spacing-insensitive: NFKD, combining marks dropped, case folded, runs of
    white space made one space. Used for what is stored and for what is asked."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def clip(text: str, max_bytes: int) -> str:
    """At most `max_bytes` of UTF-8, never half a character."""
    return text.encode()[:max_bytes].decode(errors="ignore")


def sort_key(*names: str) -> str:
    """The names given, normalised and clipped, then the member's id (the last one, as it is); the
    separator sorts below every printable character, so "doe" comes before "doe-smith"."""
    *words, member_id = names
    return SEPARATOR.join([*(clip(normalise(word), NAME_BYTES) for word in words), member_id])


@dataclass(frozen=True)
class SearchEntry:
    """Where one member stands in a scope's index: its prefixes and long-term tails, its status and
    its place in name order (`sort_key` ends with the member's id)."""

    scope: str
    status: str
    sort_key: str
    prefixes: frozenset[str]
    tails: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def items(self) -> dict[tuple[str, str], Item]:
        found: dict[tuple[str, str], Item] = {}
        for prefix in self.prefixes:
            pk = _prefix_pk(self.scope, prefix)
            found[(pk, self.sort_key)] = {"pk": pk, "sk": self.sort_key, "qs": f"{pk}#{self.status}"}
        for head, rest in self.tails:
            pk = _tail_pk(self.scope, head)
            sk = f"{rest}{SEPARATOR}{self.sort_key}"
            found[(pk, sk)] = {"pk": pk, "sk": sk, "qs": f"{pk}#{self.status}"}
        return found


def entry(scope: str, status: str, sort_key: str, terms: Iterable[str] = ()) -> SearchEntry:
    """A member found by every prefix of each of its (normalised) terms, or by none but the empty
    prefix when it has no terms (a list to page through, with a status filter)."""
    terms = {normalise(term) for term in terms}
    prefixes = {""} | {term[:length] for term in terms for length in range(1, min(len(term), PREFIX_LENGTH) + 1)}
    return SearchEntry(scope=scope, status=status, sort_key=sort_key,
                       prefixes=frozenset(prefix for prefix in prefixes if not prefix.endswith(" ")),
                       tails=frozenset((term[:PREFIX_LENGTH], clip(term[PREFIX_LENGTH:], REST_BYTES))
                                       for term in terms if len(term) > PREFIX_LENGTH))


def member_id_of(sort_key: str) -> str:
    return sort_key.rsplit(SEPARATOR, 1)[1]


class SearchStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def move(self, before: Iterable[SearchEntry], after: Iterable[SearchEntry]) -> list[Write]:
        """Transaction operations taking the index from the entries `before` to those `after`:
        items that go are deleted, new ones put, and kept ones put again only when their status
        changed."""
        old = {key: item for entry in before for key, item in entry.items().items()}
        new = {key: item for entry in after for key, item in entry.items().items()}
        writes = [delete(self.table, {"pk": pk, "sk": sk}) for (pk, sk) in old.keys() - new.keys()]
        writes += [put(self.table, item) for key, item in new.items() if old.get(key) != item]
        return writes

    def page(self, scope: str, prefix: str, status: str | None, limit: int,
             after: str | None) -> tuple[list[str], bool]:
        """Sort keys of the next `limit` members in name order after `after`, and whether more follow."""
        pk = _prefix_pk(scope, prefix)
        condition = ("qs = :key" if status else "pk = :key") + (" AND sk > :after" if after else "")
        values = {":key": f"{pk}#{status}" if status else pk, **({":after": after} if after else {})}
        items, _ = self._dynamo.query(self.table, condition, values, index=STATUS_INDEX if status else None,
                                      limit=limit + 1, projection="sk", consistent=not status)
        return [item["sk"] for item in items[:limit]], len(items) > limit

    def find(self, scope: str, q: str | None, status: str | None, limit: int,
             after: str | None) -> tuple[list[str], bool]:
        """Sort keys of the next `limit` members that `q` finds (a prefix of a term; None or empty:
        every member) in name order after `after`, and whether more follow. A query up to the
        prefix length is one Query; a longer one reads every member with a term that starts with
        it (a handful, that far into a name or email) and orders them here."""
        query = normalise(q or "")
        if len(query) <= PREFIX_LENGTH:
            return self.page(scope, query, status, limit, after)
        found = sorted(set(self.long_matches(scope, query[:PREFIX_LENGTH], clip(query[PREFIX_LENGTH:], REST_BYTES),
                                             status)))
        found = [key for key in found if after is None or key > after]
        return found[:limit], len(found) > limit

    def long_matches(self, scope: str, head: str, rest: str, status: str | None) -> list[str]:
        """Sort keys of every member with a term that starts with `head` + `rest` (a query longer
        than the prefix length), in no particular order."""
        pk = _tail_pk(scope, head)
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


def _prefix_pk(scope: str, prefix: str) -> str:
    return f"{scope}#Q#{prefix}"


def _tail_pk(scope: str, head: str) -> str:
    return f"{scope}#QT#{head}"
