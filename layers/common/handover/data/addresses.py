"""Email addresses and who uses them: the claims on emails (one per person and business, which
keep an email unique there) double as the address's holder list.

    ACCT#<acct>   EMAIL#<realm>#<email>   owner_id   lookup ADDRESS#<email>

A staff member's or customer's claim carries the address as its `lookup`, so everyone using an
address, in every business, is one Query of the `by_lookup` index: what a permanent bounce or a
complaint marks undeliverable. The claims are written in the transactions that give or take an
email already (create, a corrected email), so this costs no write of its own and no new index.
"""

from __future__ import annotations

from dataclasses import dataclass

from handover.data.dynamo import Dynamo, Write, update
from handover.data.keys import LOOKUP_INDEX, Realm, address_lookup, email_claim_key, principal_key
from handover.data.wire import Item


def email_claim(realm: Realm, account_id: str | None, email: str, owner_id: str) -> Item:
    """The item that claims `email` for its owner within the business (operators: the platform)."""
    address = {"lookup": address_lookup(email)} if realm != "operator" else {}
    return {**email_claim_key(realm, account_id, email), "owner_id": owner_id, **address}


@dataclass(frozen=True)
class Holder:
    """A staff member or customer whose claim is on an address."""

    realm: Realm
    account_id: str
    principal_id: str


class AddressStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def holders(self, email: str) -> list[Holder]:
        """Everyone using `email`, staff and customers, in every business. The index lags its table
        by a moment: someone who took the address a moment ago may be missing, and someone who
        left it may still be listed (`mark_undeliverable` checks the address again)."""
        found: list[Holder] = []
        after: Item | None = None
        while True:
            items, after = self._dynamo.query(self.table, "lookup = :lookup", {":lookup": address_lookup(email)},
                                              index=LOOKUP_INDEX, start_key=after)
            for item in items:
                realm = item["sk"].split("#")[1]
                if realm in ("staff", "customer") and "owner_id" in item:
                    found.append(Holder(realm, item["pk"].removeprefix("ACCT#"), item["owner_id"]))
            if after is None:
                return found

    def mark_undeliverable(self, holder: Holder, email: str) -> Write:
        """The holder's address is undeliverable, provided it is still `email` (a corrected one is
        not) and was not known to be (the condition fails, writing nothing, otherwise). Neither the
        versions nor the customer's revision move: nothing computed from a read depends on it, and
        a link already out (its claim included) still works."""
        return update(self.table, principal_key(holder.realm, holder.account_id, holder.principal_id),
                      "SET email_undeliverable = :true",
                      "email = :email AND (attribute_not_exists(email_undeliverable) OR email_undeliverable = :false)",
                      values={":true": True, ":false": False, ":email": email})
