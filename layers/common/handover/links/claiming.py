"""Redeeming an emailed link: claiming an account (invite) or resetting a password (reset).

The token is signed before anything is written, so a KMS failure consumes nothing. Then one
transaction consumes the link (exists, unused, unexpired), sets the password, marks the email
verified (a customer becomes active), bumps the token and link versions (the versions the link
was issued under must still hold, and a customer must not be locked), clears failed logins,
appends history and starts the new session.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.accounts.history import history_entry
from handover.contract.auth import LinkInfo
from handover.contract.common import iso
from handover.contract.events import CustomerData, CustomerSummary, PasswordResetData
from handover.customers.search import index_writes
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, FailureFactory, Write
from handover.data.history import Actor, HistoryStore
from handover.data.links import LinkKind, LinkRecord
from handover.data.principals import CustomerRecord, PrincipalRecord
from handover.data.wire import Item
from handover.errors import AccountLocked, CustomerLocked, HandoverError, LinkInvalid
from handover.events.outbox import Outbox, event_actor
from handover.identity import password_policy
from handover.identity.logins import login_window
from handover.identity.passwords import Passwords
from handover.identity.refresh import SessionBook
from handover.identity.sessions import IssuedToken
from handover.links.tokens import Links
from handover.mail.addresses import email_hint

_ACTIONS: dict[LinkKind, str] = {"invite": "claimed", "reset": "password_reset"}
ATTEMPTS = 3


class Claiming:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, links: Links, history: HistoryStore,
                 passwords: Passwords, sessions: SessionBook, outbox: Outbox, retention_days: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._links = links
        self._history = history
        self._passwords = passwords
        self._sessions = sessions
        self._outbox = outbox
        self._retention_days = retention_days
        self._clock = clock

    def describe_link(self, token: str) -> LinkInfo:
        """What the portal shows before asking for a password; a revoked link is as dead as a used one."""
        link = self.current_link(token)
        return LinkInfo(kind=link.kind, account_name=link.account_name, email_hint=email_hint(link.email),
                        expires_at=iso(link.expires_at))

    def current_link(self, token: str) -> LinkRecord:
        """The link, when it still works (unused, unexpired, not replaced, its customer not
        locked); reading it spends nothing."""
        link = self._links.valid(token)
        self._current_subject(link)
        return link

    def claim_account(self, token: str, password: str) -> IssuedToken:
        return self._redeem(token, password, "invite")

    def reset_password(self, token: str, password: str) -> IssuedToken:
        return self._redeem(token, password, "reset")

    def _redeem(self, token: str, password: str, kind: LinkKind) -> IssuedToken:
        link = self._links.valid(token, kind=kind)
        password_policy.enforce(password, profile=link.password_profile, email=link.email)
        password_hash = self._passwords.hash(password)
        customer = self._customer_as_issued(link)
        issued, session = self._token_for(link, customer)
        for attempt in range(ATTEMPTS):
            try:
                self._dynamo.transact([*self._redemption(link, password_hash, customer), session])
                return issued
            except _CustomerMoved as moved:  # renamed since the link was sent: move the index from where it is
                if attempt == ATTEMPTS - 1:
                    raise
                customer = moved.current
        raise AssertionError("unreachable")

    def _redemption(self, link: LinkRecord, password_hash: str, customer: CustomerRecord | None) -> list[Write]:
        """Consume the link, set the password (and verify), clear failed logins, write history; a
        customer who becomes active moves in the directory index in the same transaction."""
        now = self._clock()
        actor = Actor(realm=link.subject_realm, id=link.subject_id, email=link.email)
        business_unchanged = ([self._directory.accounts.unchanged(link.account_id, link.account_version)]
                              if link.account_version is not None else [])
        moves, announced = [], []
        if customer is not None:
            active = customer.model_copy(update={"status": "active"})
            if customer.status != "active":
                moves = index_writes(self._directory.search, customer, active)
            data = (CustomerData(customer=CustomerSummary.of(active)) if link.kind == "invite"
                    else PasswordResetData(customer=CustomerSummary.of(active), method="link"))
            announced = [self._outbox.event("customer.claimed" if link.kind == "invite" else "customer.password_reset",
                                            account_id=link.account_id, actor=event_actor(actor), data=data)]
        return [
            *business_unchanged,
            self._links.store.consume(link.token_hash, int(now), on_failure=lambda _old: LinkInvalid()),
            self._directory.principals.set_password_via_link(
                link.subject_realm, link.account_id, link.subject_id, link_version=link.link_version,
                token_version=link.token_version, password_hash=password_hash, now=int(now),
                on_stale=_stale_link(link), revision=customer.revision if moves and customer else None),
            *moves,
            *announced,
            self._directory.principals.clear_login_failures(link.subject_realm, link.account_id, link.email,
                                                            login_window(now)),
            self._history.add(history_entry(account_id=link.account_id, actor=actor,
                                            action=f"{link.subject_realm}.{_ACTIONS[link.kind]}",
                                            target={"type": link.subject_realm, "id": link.subject_id},
                                            retention_days=self._retention_days, now=now)),
        ]

    def _customer_as_issued(self, link: LinkRecord) -> CustomerRecord | None:
        """The link's customer as the link left them (from the link itself; links issued before
        links carried that are read from the directory)."""
        if link.subject_realm != "customer":
            return None
        if link.customer is None:
            return self._directory.customers.get(link.account_id, link.subject_id)
        return CustomerRecord(id=link.subject_id, account_id=link.account_id, email=link.email,
                              first_name=link.customer.first_name, last_name=link.customer.last_name,
                              status=link.customer.status, revision=link.customer.revision,
                              link_version=link.link_version, token_version=link.token_version,
                              created_at=link.created_at, updated_at=link.created_at)

    def _token_for(self, link: LinkRecord, customer: CustomerRecord | None) -> tuple[IssuedToken, Write]:
        """The subject's new session at the version the redemption is about to set, and its write. A
        customer's needs nothing the link does not hold; a staff member's needs the staff member and
        the business (which must not be locked)."""
        version = link.token_version + 1
        if customer is not None:
            return self._sessions.begin(customer, ver=version)
        staff, account, _ = self._directory.staff.with_account(link.account_id, link.subject_id)
        if staff is None or account is None:
            raise LinkInvalid()
        if account.locked:
            raise AccountLocked()
        if account.token_version != link.account_version:
            raise LinkInvalid()  # the business was locked (and perhaps unlocked) since the link was sent
        return self._sessions.begin(staff, account, ver=version)

    def _current_subject(self, link: LinkRecord) -> PrincipalRecord:
        subject = self._directory.principals.get(link.subject_realm, link.account_id, link.subject_id)
        if (subject is None or subject.link_version != link.link_version
                or subject.token_version != link.token_version):
            raise LinkInvalid()
        if isinstance(subject, CustomerRecord) and subject.status == "locked":
            raise CustomerLocked()
        return subject


class _CustomerMoved(HandoverError):
    """The link's customer is where the link left them but for a change that moved their index
    items (a rename): never leaves this module."""

    def __init__(self, current: CustomerRecord) -> None:
        super().__init__()
        self.current = current


def _stale_link(link: LinkRecord) -> FailureFactory:
    def failure(old: Item | None) -> HandoverError:
        if old is not None and old.get("status") == "locked":
            return CustomerLocked()
        if old is None or old.get("link_version") != link.link_version or \
                old.get("token_version") != link.token_version:
            return LinkInvalid()
        if link.subject_realm == "customer":
            return _CustomerMoved(CustomerRecord.model_validate(old))
        return LinkInvalid()

    return failure

