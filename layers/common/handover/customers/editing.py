"""Changing a customer's profile: staff change names, phone, custom fields and the email; a
customer changes their own phone and the custom fields the business lets them edit.

A changed email is unique in the business (a condition on the email's claim), revokes every
outstanding link (an outstanding invite with it), clears the verification and takes the new
email's bookings that nobody held (the customer keeps their own). The customer, their directory
index items, the email claims and the history are written in one transaction, made only if the
customer is still the revision it was read at.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from handover.contract.customers import CustomerEnvelope, CustomerView, OwnProfileUpdate, UpdateCustomerRequest
from handover.contract.events import CustomerSummary, CustomerUpdatedData, EventActor
from handover.customers.fields import FieldDefinition, checked_values
from handover.customers.profiles import Customers
from handover.customers.revisions import settle, stale
from handover.customers.search import index_writes
from handover.data.bookings import EmailLedger
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, Write
from handover.data.keys import login_lookup
from handover.data.principals import CustomerRecord
from handover.errors import ChangedMeanwhile, FieldNotEditable, NotFound
from handover.events.outbox import event_actor
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller
from handover.mail.addresses import normalise_email

_PROFILE_FIELDS = ("first_name", "last_name", "phone")


class ProfileEditor:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, customers: Customers,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._customers = customers
        self._clock = clock

    def staff_update(self, caller: Caller, customer_id: str, request: UpdateCustomerRequest,
                     receipt: Receipt = NO_KEY) -> CustomerEnvelope:
        given = request.model_dump(include=request.model_fields_set)
        return settle(lambda customer: self._apply(caller, customer, given, receipt),
                      read=lambda: self._customers.visible(caller, customer_id))

    def own_update(self, caller: Caller, request: OwnProfileUpdate, receipt: Receipt = NO_KEY) -> CustomerEnvelope:
        """Only the phone and customer-editable custom fields; anything else changes nothing."""
        refused = sorted(request.model_fields_set & {"first_name", "last_name", "email"})
        if refused:
            raise FieldNotEditable([{"loc": ["body", name], "msg": "Only the business can change this",
                                     "type": "field_not_editable"} for name in refused])
        given = request.model_dump(include=request.model_fields_set)

        def read() -> CustomerRecord:
            customer = self._directory.customers.get(caller.account_id, caller.id)
            if customer is None:
                raise NotFound("No such customer")
            return customer

        first = caller.principal if isinstance(caller.principal, CustomerRecord) else None
        return settle(lambda customer: self._apply(caller, customer, given, receipt, own=True), read=read,
                      first=first)

    def _apply(self, caller: Caller, before: CustomerRecord, given: Mapping[str, Any], receipt: Receipt,
               own: bool = False) -> CustomerEnvelope:
        def audit(fields: list[str]) -> list[Write]:
            # The history names the profile fields changed, not what they brought along (versions, flags).
            return [] if own else self._customers.audit(caller, "customer.updated", before.id, fields=fields)

        after, writes = self.change_writes(before, given, event_actor(caller.actor, caller.on_behalf_of), own=own,
                                           audit=audit)
        answer = CustomerEnvelope(customer=CustomerView.of(after))
        # Nothing to change is still the answer an Idempotency-Key's repeat gets (and binds the key to this body).
        if recorded := [*receipt.writes(answer.model_dump(mode="json")), *writes]:
            self._dynamo.transact(recorded)
        return answer

    def change_writes(self, before: CustomerRecord, given: Mapping[str, Any], actor: EventActor, *,
                      own: bool = False, audit: Callable[[list[str]], list[Write]] = lambda _fields: []
                      ) -> tuple[CustomerRecord, list[Write]]:
        """The customer after the change `given` (fields of an update request; `custom_fields` a
        merge patch) and every write of it, for one transaction (none when nothing changes): the
        customer at its next revision, its index items, a new email's claim and bookings,
        `customer.updated`. The one update path: staff, customers and imports use it."""
        changes: dict[str, Any] = {name: given[name] for name in _PROFILE_FIELDS
                                   if name in given and given[name] != getattr(before, name)}
        email = normalise_email(given["email"]) if "email" in given else before.email
        new_email = email if email != before.email else None
        definitions: list[FieldDefinition] = []
        ledger: EmailLedger | None = None
        if "custom_fields" in given or new_email:
            definitions, ledger = self._directory.customer_rules(before.account_id, new_email)
        if "custom_fields" in given:
            # A `null` for the whole map removes every key (JSON merge patch), which required fields refuse.
            patch = given["custom_fields"]
            if patch is None:
                patch = dict.fromkeys(before.custom_fields)
            merged = checked_values(definitions, patch, current=before.custom_fields, editable_only=own)
            if merged != before.custom_fields:
                changes["custom_fields"] = merged
        writes: list[Write] = []
        if new_email and ledger:
            changes |= self._email_change(before, new_email, ledger)
            writes += [*self._directory.customers.move_email_claim(before, new_email),
                       *self._directory.bookings.move(before, ledger, lambda _old: ChangedMeanwhile())]
        if not changes:
            return before, []
        changes["updated_at"] = int(self._clock())
        after = before.model_copy(update={**changes, "revision": before.revision + 1})
        stored = {**changes, "lookup": login_lookup("customer", before.account_id, after.email)} \
            if "email" in changes else changes
        named = sorted(name for name in changes if name in given)
        return after, [
            self._directory.customers.change(before, stored, stale(before)),
            *index_writes(self._directory.search, before, after),
            *writes,
            self._customers.outbox.event("customer.updated", account_id=before.account_id, actor=actor,
                                         data=CustomerUpdatedData(customer=CustomerSummary.of(after), changed=named)),
            *audit(named),
        ]

    @staticmethod
    def _email_change(before: CustomerRecord, email: str, ledger: EmailLedger) -> dict[str, Any]:
        """A new email: every link issued for the old one dies, an invite with it, and nothing is
        verified or known to bounce yet; the customer keeps their bookings and takes those made
        with the new email that nobody held."""
        changes: dict[str, Any] = {"email": email, "email_verified": False, "email_undeliverable": False,
                                   "link_version": before.link_version + 1,
                                   "booking_count": before.booking_count + ledger.pending}
        if ledger.pending:
            changes["attached_bookings"] = [*before.attached_bookings, *ledger.unattached()]
        if before.status == "invited":
            changes["status"] = "unclaimed"
        if before.status_before_lock == "invited":
            changes["status_before_lock"] = "unclaimed"
        return changes

