"""What makes a customer findable in the staff directory: `q` is a case- and accent-insensitive
prefix of the first name, the last name, the full name or the email, results are sorted by last
name then first name, and `status` filters.

Every customer has one index item per distinct prefix (up to `PREFIX_LENGTH` characters) of its
search terms, the empty prefix included, each sorted by name within its prefix: a page is one
Query on its prefix (with `status`, on an index keyed by prefix and status), whatever the size of
the business. Longer queries use a tail item per long term (its first `PREFIX_LENGTH` characters,
then the rest), so they stay exact. The items are written in the same transaction as every
change to the customer that moves them (`index_writes`).
"""

from __future__ import annotations

from handover.data.dynamo import Write
from handover.data.principals import CustomerRecord
from handover.data.search import SearchEntry, SearchStore, entry, sort_key


def scope(account_id: str) -> str:
    """The search scope of a business's customers."""
    return f"ACCT#{account_id}"


def search_entry(customer: CustomerRecord) -> SearchEntry:
    return entry(scope(customer.account_id), customer.status,
                 sort_key(customer.last_name, customer.first_name, customer.id),
                 (f"{customer.first_name} {customer.last_name}", customer.last_name, customer.email))


def index_writes(store: SearchStore, before: CustomerRecord | None, after: CustomerRecord | None) -> list[Write]:
    """The writes that move a customer's index items from `before` to `after` (None: absent)."""
    return store.move([search_entry(before)] if before else [], [search_entry(after)] if after else [])
