"""The staff's customer directory: a page of the business's customers in name order, optionally
only those a query finds or with one status.

A page is one Query on the search items of its prefix (data/search.py), then one read of the
customers it names: the cost of a page is the page, at 100 customers or at 100,000. A query
longer than the stored prefixes reads every customer whose term starts with it (a handful, that
far into a name or email) and orders them here.
"""

from __future__ import annotations

from handover.customers.search import PREFIX_LENGTH, REST_BYTES, clip, normalise
from handover.data.directory import Directory
from handover.data.principals import CustomerRecord
from handover.data.search import customer_id_of
from handover.identity.callers import Caller
from handover.paging import encode_position, position


class CustomerDirectory:
    def __init__(self, *, directory: Directory) -> None:
        self._directory = directory

    def page(self, caller: Caller, q: str | None, status: str | None, limit: int,
             cursor: str | None) -> tuple[list[CustomerRecord], str | None]:
        account_id = caller.account_id
        after = position(cursor, account_id)
        query = normalise(q or "")
        if len(query) <= PREFIX_LENGTH:
            keys, more = self._directory.search.page(account_id, query, status, limit, after)
        else:
            found = sorted(set(self._directory.search.long_matches(
                account_id, query[:PREFIX_LENGTH], clip(query[PREFIX_LENGTH:], REST_BYTES), status)))
            found = [key for key in found if after is None or key > after]
            keys, more = found[:limit], len(found) > limit
        customers = self._directory.customers.get_many(account_id, [customer_id_of(key) for key in keys])
        if status:
            # The status index trails the customers by a moment: leave out whoever just left it.
            customers = [customer for customer in customers if customer.status == status]
        return customers, encode_position(account_id, keys[-1]) if more else None
