"""Customers as staff see them: create (no welcome email unless asked), read, invite.

Every rule that could race (one email per business, only the newest invite link works) is a
condition inside one transaction, not a read-then-write here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from handover.callers import Caller
from handover.contract import CreateCustomerRequest, InviteOutcome, iso
from handover.data.directory import AccountRecord, BookingRecord, CustomerRecord, Directory
from handover.data.dynamo import Dynamo, Item, Write
from handover.data.history import HistoryStore
from handover.emails import normalise_email
from handover.errors import (
    AlreadyClaimed,
    CustomerLocked,
    DependencyUnavailable,
    EmailUndeliverable,
    HandoverError,
    NotFound,
    StorageUnavailable,
)
from handover.history import history_entry
from handover.ids import new_id
from handover.links import Links, link_url
from handover.mailer import Branding, Mailer


@dataclass(frozen=True)
class Invitation:
    expires_at: int


class Customers:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, links: Links, history: HistoryStore,
                 mailer: Mailer, portal_url: str, retention_days: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._links = links
        self._history = history
        self._mailer = mailer
        self._portal_url = portal_url
        self._retention_days = retention_days
        self._clock = clock

    def create(self, caller: Caller,
               request: CreateCustomerRequest) -> tuple[CustomerRecord, int, InviteOutcome | None]:
        """The new customer, the number of earlier bookings made with the email (now attached to
        the profile, since bookings are filed under the email) and, when asked, the invite."""
        account_id = caller.account_id
        email = normalise_email(request.email)
        now = int(self._clock())
        customer = CustomerRecord(
            id=new_id(now), account_id=account_id, email=email, first_name=request.first_name,
            last_name=request.last_name, phone=request.phone, custom_fields=request.custom_fields or {},
            created_at=now, updated_at=now,
        )
        booking_count = self._directory.booking_count(account_id, email)
        self._dynamo.transact([
            *self._directory.add_customer(customer),
            *self._audit(caller, "customer.created", customer.id),
        ])
        if not request.invite:
            return customer, booking_count, None
        try:
            invitation = self.invite(caller, customer.id)
        except DependencyUnavailable as error:
            # The customer exists; the invite can be sent again with POST .../invite.
            return customer, booking_count, InviteOutcome(sent=False, code=error.code)
        invited = customer.model_copy(update={"status": "invited", "link_version": 1})
        return invited, booking_count, InviteOutcome(sent=True, expires_at=iso(invitation.expires_at))

    def detail(self, caller: Caller, customer_id: str) -> tuple[CustomerRecord, list[BookingRecord]]:
        customer = self._visible(caller, customer_id)
        return customer, self._directory.bookings(customer.account_id, customer.email)

    def own_profile(self, caller: Caller) -> tuple[CustomerRecord, list[BookingRecord]]:
        """The signed-in customer (read while authenticating) and their bookings."""
        customer = caller.principal
        if not isinstance(customer, CustomerRecord):
            raise NotFound("No such customer")
        return customer, self._directory.bookings(customer.account_id, customer.email)

    def invite(self, caller: Caller, customer_id: str, email: str | None = None) -> Invitation:
        """Email a claim link; every earlier link of the customer stops working."""
        customer = self._visible(caller, customer_id)
        if customer.status == "locked":
            raise CustomerLocked()
        if customer.status == "active" or customer.password_hash:
            raise AlreadyClaimed()
        writes: list[Write] = []
        new_email = normalise_email(email) if email else None
        if new_email == customer.email:
            new_email = None
        if new_email:
            writes += self._directory.move_email_claim(customer, new_email)
        elif customer.email_undeliverable:
            raise EmailUndeliverable()
        account = self._account(caller)
        recipient = customer.model_copy(update={"email": new_email or customer.email})
        token, link = self._links.new("invite", account, recipient)
        writes += [
            self._directory.issue_customer_link(customer, link.created_at, _stale_customer, new_email),
            self._links.store.add(link),
            *self._audit(caller, "customer.invited", customer.id),
        ]
        self._dynamo.transact(writes)
        self._mailer.send_invite(
            to=recipient.email, first_name=customer.first_name, expires_at=iso(link.expires_at),
            branding=Branding(account_name=account.name, portal_url=account.portal_url or self._portal_url),
            link_url=link_url(account.portal_url or self._portal_url, "invite", token),
        )
        return Invitation(expires_at=link.expires_at)

    def _visible(self, caller: Caller, customer_id: str) -> CustomerRecord:
        """The caller's own business's customer; anyone else's is a 404 (the key says so)."""
        customer = self._directory.customer(caller.account_id, customer_id)
        if customer is None:
            raise NotFound("No such customer")
        return customer

    def _account(self, caller: Caller) -> AccountRecord:
        account = caller.account or self._directory.account(caller.account_id)
        if account is None:
            raise NotFound("No such business")
        return account

    def _audit(self, caller: Caller, action: str, customer_id: str) -> list[Write]:
        """Actions taken under login-as are written to the business's history, with both identities."""
        if caller.on_behalf_of is None:
            return []
        entry = history_entry(account_id=caller.account_id, actor=caller.actor, on_behalf_of=caller.on_behalf_of,
                              action=action, target={"type": "customer", "id": customer_id},
                              retention_days=self._retention_days, now=self._clock())
        return [self._history.add(entry)]


def _stale_customer(old: Item | None) -> HandoverError:
    """The customer changed between our read and our write: say what it became."""
    if old is None:
        return NotFound("No such customer")
    if old.get("status") == "locked":
        return CustomerLocked()
    if old.get("status") == "active":
        return AlreadyClaimed()
    return StorageUnavailable("The customer changed while inviting; please retry")
