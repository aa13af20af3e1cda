"""The links table: one item per emailed link, keyed by the SHA-256 of its token.

Each link also records what SES said of the email that carried it (`delivery`): `sent` when it
was issued, then `delivered`, `bounced` or `complained`, only ever forwards (`DELIVERY_ORDER`).
"""

from __future__ import annotations

from typing import Literal

from handover.data.dynamo import Dynamo, FailureFactory, Write, put, update
from handover.data.expiry import EXPIRY_INDEX
from handover.data.wire import Item
from handover.models import Model

LinkKind = Literal["invite", "reset"]
Delivery = Literal["sent", "delivered", "bounced", "complained"]

# SES reports an email's fate in any order and more than once; a state only replaces one before it
# (a late `delivered` after a `bounced` changes nothing, a complaint follows a delivery).
DELIVERY_ORDER: tuple[Delivery, ...] = ("sent", "delivered", "bounced", "complained")


def states_before(state: Delivery) -> tuple[Delivery, ...]:
    return DELIVERY_ORDER[:DELIVERY_ORDER.index(state)]


class CustomerSnapshot(Model):
    """The link's customer as the link left them (names, status, revision): enough to move their
    directory index items when the link is redeemed without reading the customer first."""

    first_name: str
    last_name: str
    status: Literal["unclaimed", "invited", "active", "locked"]
    revision: int


class LinkRecord(Model):
    token_hash: str
    kind: LinkKind
    account_id: str
    account_name: str
    subject_realm: Literal["customer", "staff"] = "customer"
    subject_id: str
    email: str
    password_profile: Literal["classic", "nist"] = "classic"
    # The subject's versions when the link was issued: the link works only while both still hold.
    link_version: int
    token_version: int
    # For staff: the business's token version at issue; locking or unlocking the business retires the link.
    account_version: int | None = None
    customer: CustomerSnapshot | None = None
    created_at: int
    expires_at: int
    expiry_day: str
    expires_ttl: int
    used_at: int | None = None
    delivery: Delivery = "sent"


class LinkStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def get(self, token_hash: str) -> LinkRecord | None:
        item = self._dynamo.get(self.table, {"token_hash": token_hash})
        return LinkRecord.model_validate(item) if item else None

    def add(self, link: LinkRecord) -> Write:
        return put(self.table, link.model_dump(exclude_none=True), "attribute_not_exists(token_hash)")

    def consume(self, token_hash: str, now: int, on_failure: FailureFactory) -> Write:
        """Single use, decided by the condition: unused and unexpired at the moment of writing."""
        return update(self.table, {"token_hash": token_hash}, "SET used_at = :now",
                      "attribute_exists(token_hash) AND attribute_not_exists(used_at) AND expires_at > :now",
                      values={":now": now}, on_condition_failure=on_failure)

    def record_delivery(self, token_hash: str, state: Delivery) -> Write:
        """Move the link's `delivery` forwards to `state`; the condition fails (nothing written)
        when the link is gone or already there or beyond (links issued before deliveries were
        recorded have no `delivery`: they count as `sent`)."""
        if state == "sent":
            raise ValueError("a link is sent when it is issued; SES reports what followed")
        earlier = {f":d{number}": before for number, before in enumerate(states_before(state))}
        return update(self.table, {"token_hash": token_hash}, "SET delivery = :state",
                      f"attribute_exists(token_hash) AND (attribute_not_exists(delivery) "
                      f"OR delivery IN ({', '.join(earlier)}))", values={":state": state, **earlier})

    def expired_keys(self, day: str, now: int, limit: int,
                     after: Item | None = None) -> tuple[list[Item], Item | None]:
        """Keys of links that expired on `day` before `now` (found by the expiry-day index)."""
        return self._dynamo.keys_expired(self.table, EXPIRY_INDEX, day, now, limit, ("token_hash",), after)

    def remove(self, keys: list[Item]) -> None:
        self._dynamo.delete_many(self.table, keys)
