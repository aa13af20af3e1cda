"""The links table: one item per emailed link, keyed by the SHA-256 of its token."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from handover.data.dynamo import Dynamo, FailureFactory, Item, Write, put, update

EXPIRY_INDEX = "by_expiry_day"

LinkKind = Literal["invite", "reset"]


class CustomerSnapshot(BaseModel):
    """The link's customer as the link left them (names, status, revision): enough to move their
    directory index items when the link is redeemed without reading the customer first."""

    first_name: str
    last_name: str
    status: Literal["unclaimed", "invited", "active", "locked"]
    revision: int


class LinkRecord(BaseModel):
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

    def expired_keys(self, day: str, now: int, limit: int,
                     after: Item | None = None) -> tuple[list[Item], Item | None]:
        """Keys of links that expired on `day` before `now` (found by the expiry-day index)."""
        return self._dynamo.keys_expired(self.table, EXPIRY_INDEX, day, now, limit, ("token_hash",), after)

    def remove(self, keys: list[Item]) -> None:
        self._dynamo.delete_many(self.table, keys)
