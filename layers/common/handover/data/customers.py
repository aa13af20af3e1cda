"""A business's customers: reads, the versioned writes that lock, unlock and set passwords,
profile changes, moving the claim on a customer's email, and what SES said of their last link.

Every change computed from a read bumps the customer's `revision` and is made only if it is still
the revision the change was computed from, so the directory index items written beside it always
match. What SES reports of the last link is not computed from a read: it is decided by conditions
on `last_link` alone and leaves the revision as it is (so a claim's snapshot of the customer
stays good).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from handover.data.addresses import email_claim
from handover.data.dynamo import Dynamo, FailureFactory, Write, delete, put, update
from handover.data.keys import customer_key, email_claim_key
from handover.data.links import Delivery, states_before
from handover.data.principals import CustomerRecord, CustomerStatus, LastLink, key_of
from handover.errors import EmailTaken, StorageUnavailable


class CustomerStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def get(self, account_id: str, customer_id: str) -> CustomerRecord | None:
        item = self._dynamo.get(self.table, customer_key(account_id, customer_id))
        return CustomerRecord.model_validate(item) if item else None

    def get_many(self, account_id: str, customer_ids: Sequence[str]) -> list[CustomerRecord]:
        """The customers that exist, in the order asked (one round trip for a page)."""
        if not customer_ids:
            return []
        found = {item["id"]: CustomerRecord.model_validate(item) for item in self._dynamo.get_many(
            self.table, [customer_key(account_id, customer_id) for customer_id in customer_ids])}
        return [found[customer_id] for customer_id in customer_ids if customer_id in found]

    # -- writes, as transaction operations -----------------------------------------------------

    def change(self, customer: CustomerRecord, changes: Mapping[str, Any], on_stale: FailureFactory) -> Write:
        """Set the given attributes (None removes one), provided the customer is still at the
        revision it was read at."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {":revision": customer.revision, ":one": 1}
        sets, removes = [], []
        for number, (name, value) in enumerate(sorted(changes.items())):
            names[f"#f{number}"] = name
            if value is None:
                removes.append(f"#f{number}")
            else:
                values[f":f{number}"] = value
                sets.append(f"#f{number} = :f{number}")
        expression = (f"SET {', '.join(sets)} " if sets else "") + (f"REMOVE {', '.join(removes)} " if removes else "")
        condition = "revision = :revision"
        if "booking_count" in changes:
            # Bookings add to the count without a new revision: a count is set only over the one read.
            condition += " AND booking_count = :read_count"
            values[":read_count"] = customer.booking_count
        return update(self.table, key_of(customer), expression + "ADD revision :one", condition,
                      names=names, values=values, on_condition_failure=on_stale)

    def move_email_claim(self, customer: CustomerRecord, new_email: str) -> list[Write]:
        """Release the customer's old email within the business and claim the new one."""
        return [
            delete(self.table, email_claim_key("customer", customer.account_id, customer.email),
                   "owner_id = :id", values={":id": customer.id},
                   on_condition_failure=lambda _old: StorageUnavailable("The email changed meanwhile; retry")),
            put(self.table, email_claim("customer", customer.account_id, new_email, customer.id),
                "attribute_not_exists(pk)", on_condition_failure=lambda _old: EmailTaken()),
        ]

    def record_delivery(self, account_id: str, customer_id: str, token_hash: str, state: Delivery) -> Write:
        """Move `last_link.delivery` forwards to `state`, provided that link is still the
        customer's last one (the condition fails, writing nothing, otherwise)."""
        earlier = {f":d{number}": before for number, before in enumerate(states_before(state))}
        return update(self.table, customer_key(account_id, customer_id), "SET last_link.delivery = :state",
                      f"last_link.token_hash = :hash AND last_link.delivery IN ({', '.join(earlier)})",
                      values={":state": state, ":hash": token_hash, **earlier})

    def restore_last_link(self, customer: CustomerRecord, issued: LastLink) -> Write:
        """Put back the `last_link` the customer had before `issued` (whose email could not be sent),
        provided `issued` is still the last one."""
        condition, values = "last_link.token_hash = :issued", {":issued": issued.token_hash}
        if customer.last_link is None:
            return update(self.table, key_of(customer), "REMOVE last_link", condition, values=values)
        return update(self.table, key_of(customer), "SET last_link = :previous", condition,
                      values={**values, ":previous": customer.last_link.model_dump()})

    def set_password(self, customer: CustomerRecord, password_hash: str, now: int, on_stale: FailureFactory) -> Write:
        """Staff set a customer's password: every session and link dies; the email stays as
        verified (or not) as it was."""
        return self._versioned(customer, "password_hash = :hash, updated_at = :now", on_stale,
                               {":hash": password_hash, ":now": now}, unlocked=True)

    def lock(self, customer: CustomerRecord, reason: str | None, now: int, on_stale: FailureFactory) -> Write:
        return self._versioned(customer, "#status = :locked_status, status_before_lock = :before, "
                               "locked_reason = :reason, updated_at = :now", on_stale,
                               {":locked_status": "locked", ":before": customer.status, ":reason": reason or "",
                                ":now": now}, unlocked=True)

    def unlock(self, customer: CustomerRecord, restored: CustomerStatus, now: int, on_stale: FailureFactory) -> Write:
        return self._versioned(customer, "#status = :restored, updated_at = :now REMOVE status_before_lock, "
                               "locked_reason", on_stale, {":restored": restored, ":now": now})

    def _versioned(self, customer: CustomerRecord, sets: str, on_stale: FailureFactory, values: dict[str, Any],
                   unlocked: bool = False) -> Write:
        """A change that retires every token and link of the customer, made only if nobody changed
        the customer (or locked them, where `unlocked`) since it was read."""
        set_part, _, remove_part = sets.partition(" REMOVE ")
        expression = ("SET token_version = :next_token, link_version = :next_link, " + set_part
                      + (f" REMOVE {remove_part}" if remove_part else "") + " ADD revision :one")
        condition = "token_version = :token AND link_version = :link AND revision = :revision"
        if unlocked:
            condition += " AND #status <> :locked"
            values = {**values, ":locked": "locked"}
        return update(self.table, key_of(customer), expression, condition, names={"#status": "status"},
                      values={**values, ":token": customer.token_version, ":next_token": customer.token_version + 1,
                              ":link": customer.link_version, ":next_link": customer.link_version + 1,
                              ":revision": customer.revision, ":one": 1},
                      on_condition_failure=on_stale)
