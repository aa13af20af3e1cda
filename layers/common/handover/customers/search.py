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

import unicodedata

from handover.data.dynamo import Write
from handover.data.principals import CustomerRecord
from handover.data.search import SEPARATOR, SearchEntry, SearchStore

# Prefixes longer than this are not stored one by one: a customer's items stay within one
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


def sort_key(first_name: str, last_name: str, customer_id: str) -> str:
    """Last name, first name, id; the separator sorts below every printable character, so "doe"
    comes before "doe-smith"."""
    return SEPARATOR.join((clip(normalise(last_name), NAME_BYTES), clip(normalise(first_name), NAME_BYTES),
                           customer_id))


def search_entry(customer: CustomerRecord) -> SearchEntry:
    terms = {normalise(f"{customer.first_name} {customer.last_name}"), normalise(customer.last_name),
             normalise(customer.email)}
    prefixes = {""} | {term[:length] for term in terms for length in range(1, min(len(term), PREFIX_LENGTH) + 1)}
    return SearchEntry(
        account_id=customer.account_id, customer_id=customer.id, status=customer.status,
        sort_key=sort_key(customer.first_name, customer.last_name, customer.id),
        prefixes=frozenset(prefix for prefix in prefixes if not prefix.endswith(" ")),
        tails=frozenset((term[:PREFIX_LENGTH], clip(term[PREFIX_LENGTH:], REST_BYTES))
                        for term in terms if len(term) > PREFIX_LENGTH),
    )


def index_writes(store: SearchStore, before: CustomerRecord | None, after: CustomerRecord | None) -> list[Write]:
    """The writes that move a customer's index items from `before` to `after` (None: absent)."""
    return store.move(search_entry(before) if before else None, search_entry(after) if after else None)
