"""The staff's customer directory: a page of the business's customers in name order, optionally
only those a query finds or with one status.

A page is one Query on the search items of its prefix (data/search.py), then one read of the
customers it names: the cost of a page is the page, at 100 customers or at 100,000.
"""

from __future__ import annotations

from handover.customers.search import scope
from handover.data.directory import Directory
from handover.data.principals import CustomerRecord
from handover.data.search import member_id_of
from handover.identity.callers import Caller
from handover.paging import encode_position, position


class CustomerDirectory:
    def __init__(self, *, directory: Directory) -> None:
        self._directory = directory

    def page(self, caller: Caller, q: str | None, status: str | None, limit: int,
             cursor: str | None) -> tuple[list[CustomerRecord], str | None]:
        account_id = caller.account_id
        after = position(cursor, account_id)
        keys, more = self._directory.search.find(scope(account_id), q, status, limit, after)
        customers = self._directory.customers.get_many(account_id, [member_id_of(key) for key in keys])
        if status:
            # The status index trails the customers by a moment: leave out whoever just left it.
            customers = [customer for customer in customers if customer.status == status]
        return customers, encode_position(account_id, keys[-1]) if more else None
