"""Customers as staff see them: create (no welcome email unless asked), read, invite, send a
password reset, set a password.

Every rule that could race (one email per business, only the newest link works, nothing changes
a locked customer) is a condition inside one transaction, not a read-then-write here. Actions
taken under login-as are written to the business's history with both identities.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel

from handover.accounts.history import impersonated
from handover.contract.common import iso
from handover.contract.customers import CreateCustomerRequest, CustomerCreated, CustomerView
from handover.contract.events import (
    CustomerCreatedData,
    CustomerInvitedData,
    CustomerSummary,
    EventActor,
    PasswordResetData,
)
from handover.contract.invites import InviteOutcome
from handover.customers.fields import FieldDefinition, checked_values
from handover.customers.revisions import settle, stale
from handover.customers.search import index_writes
from handover.data.accounts import AccountRecord
from handover.data.bookings import BookingRecord, EmailLedger
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, Write
from handover.data.history import HistoryStore
from handover.data.links import LinkKind, LinkRecord
from handover.data.principals import CustomerRecord
from handover.errors import (
    AlreadyClaimed,
    ChangedMeanwhile,
    CustomerLocked,
    DependencyUnavailable,
    EmailUndeliverable,
    NotFound,
)
from handover.events.outbox import Outbox, event_actor
from handover.idempotency import NO_KEY, Receipt
from handover.identity import password_policy
from handover.identity.callers import Caller, forbid_impersonation
from handover.identity.passwords import Passwords
from handover.ids import new_id
from handover.links.mail import Letter, LinkMailer
from handover.mail.addresses import normalise_email
from handover.paging import encode_position, position

NEWEST_BOOKINGS = 25


class Customers:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, link_mailer: LinkMailer, history: HistoryStore,
                 passwords: Passwords, outbox: Outbox, retention_days: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self.outbox = outbox
        self._directory = directory
        self._link_mailer = link_mailer
        self._history = history
        self._passwords = passwords
        self._retention_days = retention_days
        self._clock = clock

    def create(self, caller: Caller, request: CreateCustomerRequest, receipt: Receipt = NO_KEY) -> CustomerCreated:
        """The new customer, with the earlier bookings made with the email that nobody held (now
        attached to the profile, see data/bookings.py) and, when asked, the invite: the
        customer, its directory index items, the invite link and the answer are written in one
        transaction."""
        return settle(lambda _: self._create(caller, request, receipt), read=lambda: None)

    def _create(self, caller: Caller, request: CreateCustomerRequest, receipt: Receipt) -> CustomerCreated:
        account_id = caller.account_id
        email = normalise_email(request.email)
        now = int(self._clock())
        definitions, ledger = self._directory.customer_rules(account_id, email)
        customer = self.new_customer(account_id, email, request, definitions, ledger, now)
        letter = self._link_mailer.prepare("invite", self.account_of(caller), customer) if request.invite else None
        customer, writes = self.creation_writes(customer, ledger, event_actor(caller.actor, caller.on_behalf_of),
                                                letter=letter, audit=lambda action: self.audit(caller, action,
                                                                                               customer.id))
        invite = InviteOutcome(sent=True, expires_at=iso(letter.link.expires_at)) if letter else None
        created = CustomerCreated(customer=CustomerView.of(customer), invite=invite)
        self._dynamo.transact([*receipt.writes(created.model_dump(mode="json")), *writes])
        if letter:
            try:
                self._link_mailer.deliver(letter)
            except DependencyUnavailable as error:
                # The customer exists, with no last_link; the invite can be sent again with POST .../invite.
                unsent = created.customer.model_copy(update={"last_link": None})
                created = created.model_copy(update={"invite": InviteOutcome(sent=False, code=error.code),
                                                     "customer": unsent})
                receipt.amend(created.model_dump(mode="json"))
        return created

    @staticmethod
    def new_customer(account_id: str, email: str, request: CreateCustomerRequest,
                     definitions: list[FieldDefinition], ledger: EmailLedger, now: int) -> CustomerRecord:
        """The customer a create makes of `request` (its email normalised), its custom fields
        checked against the business's definitions; with the bookings nobody held under its email."""
        return CustomerRecord(
            id=new_id(now), account_id=account_id, email=email, first_name=request.first_name,
            last_name=request.last_name, phone=request.phone,
            custom_fields=checked_values(definitions, request.custom_fields or {}),
            booking_count=ledger.pending, attached_bookings=ledger.unattached(), created_at=now, updated_at=now,
        )

    def creation_writes(self, customer: CustomerRecord, ledger: EmailLedger, actor: EventActor, *,
                        letter: Letter | None = None,
                        audit: Callable[[str], list[Write]] = lambda _action: []) -> tuple[CustomerRecord, list[Write]]:
        """Every write of a customer's creation, for one transaction: the customer and the claim on
        its email, its directory index items, the bookings it takes, `customer.created` (and, with
        an invite `letter`, the link and `customer.invited`). The one create path: the single
        create and imports both use it. Returns the customer as written (invited, with a letter)."""
        writes = [self._directory.bookings.take(ledger, customer.id, lambda _old: ChangedMeanwhile()),
                  *audit("customer.created")]
        if letter:
            # Written as it would be had the invite followed the creation (the link expects that revision).
            customer = customer.model_copy(update={"status": "invited", "link_version": letter.link.link_version,
                                                   "revision": customer.revision + 1, "last_link": letter.last_link})
            writes += [letter.write, *audit("customer.invite_sent")]
        writes.append(self.outbox.event("customer.created", account_id=customer.account_id, actor=actor,
                                        data=CustomerCreatedData(customer=CustomerSummary.of(customer),
                                                                 invited=letter is not None)))
        if letter:
            writes.append(self.outbox.event("customer.invited", account_id=customer.account_id, actor=actor,
                                            data=CustomerInvitedData(customer=CustomerSummary.of(customer),
                                                                     expires_at=iso(letter.link.expires_at))))
        return customer, [*self._directory.principals.add(customer),
                          *index_writes(self._directory.search, None, customer), *writes]

    def detail(self, caller: Caller, customer_id: str) -> tuple[CustomerRecord, list[BookingRecord]]:
        """The customer and their newest bookings (`booking_count` counts them all)."""
        customer = self.visible(caller, customer_id)
        return customer, self._directory.bookings.newest(customer, NEWEST_BOOKINGS)[0]

    def bookings(self, caller: Caller, customer_id: str, limit: int,
                 cursor: str | None) -> tuple[list[BookingRecord], str | None]:
        """A page of the customer's bookings, newest first."""
        customer = self.visible(caller, customer_id)
        before = position(cursor, customer.account_id)
        page, last = self._directory.bookings.newest(customer, limit, before)
        return page, encode_position(customer.account_id, last)

    def own_profile(self, caller: Caller) -> tuple[CustomerRecord, list[BookingRecord]]:
        """The signed-in customer (read while authenticating) and their newest bookings."""
        customer = caller.principal
        if not isinstance(customer, CustomerRecord):
            raise NotFound("No such customer")
        return customer, self._directory.bookings.newest(customer, NEWEST_BOOKINGS)[0]

    def send_link(self, caller: Caller, customer_id: str, kind: LinkKind, email: str | None = None,
                  receipt: Receipt = NO_KEY) -> LinkRecord:
        """Email an invite (claim) or reset ("add password" for an unclaimed customer) link,
        correcting the email first if asked; every earlier link of the customer stops working."""
        corrected = normalise_email(email) if email else None  # a bad address is refused whatever the customer's state
        return settle(lambda customer: self._send_link(caller, customer, kind, corrected, receipt),
                      read=lambda: self.visible(caller, customer_id))

    def _send_link(self, caller: Caller, customer: CustomerRecord, kind: LinkKind, new_email: str | None,
                   receipt: Receipt) -> LinkRecord:
        if new_email == customer.email:
            new_email = None
        sendable(customer, kind, new_email)
        invited = customer.model_copy(update={"status": "invited", "email": new_email or customer.email})

        def announced(link: LinkRecord) -> list[Write]:
            return [self.raise_event(caller, "customer.invited", CustomerInvitedData(
                customer=CustomerSummary.of(invited), expires_at=iso(link.expires_at)))] if kind == "invite" else []

        return self._link_mailer.send(kind, self.account_of(caller), customer, new_email=new_email, receipt=receipt,
                                      extra_writes=self.audit(caller, f"customer.{kind}_sent", customer.id),
                                      with_link=announced)

    def invite_writes(self, account: AccountRecord, customer: CustomerRecord,
                      actor: EventActor) -> tuple[Letter, list[Write]]:
        """A bulk invite's: the single invite's rules (refused as it refuses them) and writes (the
        link, every earlier link revoked, `customer.invited`), for a transaction the caller adds
        to; deliver the letter once it commits."""
        sendable(customer, "invite", None)
        letter, writes = self._link_mailer.issue("invite", account, customer)
        invited = customer.model_copy(update={"status": "invited"})
        writes.append(self.outbox.event("customer.invited", account_id=customer.account_id, actor=actor,
                                        data=CustomerInvitedData(customer=CustomerSummary.of(invited),
                                                                 expires_at=iso(letter.link.expires_at))))
        return letter, writes

    def set_password(self, caller: Caller, customer_id: str, password: str) -> None:
        """Staff set the password directly: every session of the customer dies; the customer still
        needs a verified email to sign in. Never under login-as."""
        forbid_impersonation(caller)
        customer = self.visible(caller, customer_id)
        if customer.status == "locked":
            raise CustomerLocked()
        password_policy.enforce(password, profile=self.account_of(caller).password_profile, email=customer.email)
        password_hash = self._passwords.hash(password)

        def write(customer: CustomerRecord) -> None:
            if customer.status == "locked":
                raise CustomerLocked()
            self._dynamo.transact([
                self._directory.customers.set_password(customer, password_hash, int(self._clock()), stale(customer)),
                self.raise_event(caller, "customer.password_reset",
                                 PasswordResetData(customer=CustomerSummary.of(customer), method="staff")),
            ])

        settle(write, read=lambda: self.visible(caller, customer_id), first=customer)

    def visible(self, caller: Caller, customer_id: str) -> CustomerRecord:
        """The caller's own business's customer; anyone else's is a 404 (the key says so)."""
        customer = self._directory.customers.get(caller.account_id, customer_id)
        if customer is None:
            raise NotFound("No such customer")
        return customer

    def account_of(self, caller: Caller) -> AccountRecord:
        account = caller.account or self._directory.accounts.get(caller.account_id)
        if account is None:
            raise NotFound("No such business")
        return account

    def raise_event(self, caller: Caller, detail_type: str, data: BaseModel) -> Write:
        """One of Handover's events about this business, raised in the action's transaction."""
        return self.outbox.event(detail_type, account_id=caller.account_id,
                                 actor=event_actor(caller.actor, caller.on_behalf_of), data=data)

    def audit(self, caller: Caller, action: str, customer_id: str, **details: object) -> list[Write]:
        """Actions taken under login-as are written to the business's history, with both identities."""
        return impersonated(self._history, caller, action, {"type": "customer", "id": customer_id},
                            details=details, retention_days=self._retention_days, now=self._clock())


def sendable(customer: CustomerRecord, kind: LinkKind, new_email: str | None) -> None:
    """Whether a link may go to the customer: never while locked, an invite never once claimed,
    nothing to an address known to be undeliverable (unless the email is being corrected)."""
    if customer.status == "locked":
        raise CustomerLocked()
    if kind == "invite" and (customer.status == "active" or customer.password_hash):
        raise AlreadyClaimed()
    if not new_email and customer.email_undeliverable:
        raise EmailUndeliverable()
