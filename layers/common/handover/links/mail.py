"""Issuing a link and emailing it: the one way invite and reset links leave the service.

The link is stored, and every older link of its subject revoked, in one transaction (with any
extra writes the caller brings, such as a corrected email, history or the Idempotency-Key's
answer); only then is the email sent. A failed send leaves a link nobody holds, and the caller's
retry issues a new one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from handover.contract.common import iso
from handover.customers.revisions import stale
from handover.customers.search import index_writes
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, FailureFactory, Item, Write
from handover.data.links import LinkKind, LinkRecord
from handover.data.principals import AttachedBookings, CustomerRecord, PrincipalRecord, StaffRecord
from handover.errors import AlreadyClaimed, CustomerLocked, HandoverError, NotFound, StorageUnavailable
from handover.idempotency import NO_KEY, Answer, Receipt
from handover.links.tokens import Links, link_url
from handover.mail.mailer import Branding, Mailer


@dataclass(frozen=True)
class Letter:
    """A link ready to go: its token (only ever in the email), its record and where it goes."""

    kind: LinkKind
    account: AccountRecord
    subject: PrincipalRecord
    recipient: str
    token: str
    link: LinkRecord
    write: Write  # stores the link


def sent_answer(link: LinkRecord) -> Answer:
    """What a request that emailed a link answers (and what its Idempotency-Key keeps)."""
    return {"expires_at": iso(link.expires_at)}


class LinkMailer:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, links: Links, mailer: Mailer, portal_url: str,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._links = links
        self._mailer = mailer
        self._portal_url = portal_url
        self._clock = clock

    def send(self, kind: LinkKind, account: AccountRecord, subject: PrincipalRecord, *,
             new_email: str | None = None, extra_writes: Sequence[Write] = (), receipt: Receipt = NO_KEY,
             with_link: Callable[[LinkRecord], Sequence[Write]] = lambda _link: ()) -> LinkRecord:
        """Revoke the subject's earlier links, store the new one, then email it; `extra_writes`
        and `with_link(link)` join the transaction. An email that cannot be sent forgets the
        request's Idempotency-Key, so a retry sends it."""
        letter = self.prepare(kind, account, subject, new_email=new_email)
        writes = receipt.writes(sent_answer(letter.link))
        on_stale: FailureFactory = _stale_subject
        taken: list[AttachedBookings] = []
        if isinstance(subject, CustomerRecord):
            on_stale = stale(subject)
            if new_email:
                ledger = self._directory.bookings.ledger(subject.account_id, new_email)
                taken = ledger.unattached()
                writes += [*self._directory.customers.move_email_claim(subject, new_email),
                           *self._directory.bookings.move(subject, ledger)]
            after = subject.model_copy(update={"email": new_email or subject.email,
                                               "status": "invited" if kind == "invite" else subject.status})
            writes += index_writes(self._directory.search, subject, after)
        writes += [
            self._directory.principals.issue_link(subject, letter.link.created_at, on_stale,
                                                  invite=kind == "invite", new_email=new_email, taken=taken),
            letter.write,
            *extra_writes,
            *with_link(letter.link),
        ]
        self._dynamo.transact(writes)
        try:
            self.deliver(letter)
        except Exception:
            receipt.forget()
            raise
        return letter.link

    def prepare(self, kind: LinkKind, account: AccountRecord, subject: PrincipalRecord, *,
                new_email: str | None = None) -> Letter:
        """A new link for the subject's next link version; store `letter.link` in the transaction
        that moves the subject to that version."""
        recipient = subject.model_copy(update={"email": new_email or subject.email})
        token, link = self._links.new(kind, account, recipient)
        return Letter(kind, account, subject, recipient.email, token, link, self._links.store.add(link))

    def deliver(self, letter: Letter) -> None:
        account, subject = letter.account, letter.subject
        portal = account.portal_url or self._portal_url
        first_name = subject.first_name if isinstance(subject, CustomerRecord | StaffRecord) else ""
        self._mailer.send_link(letter.kind, to=letter.recipient, first_name=first_name,
                               first_password=not subject.password_hash,
                               branding=Branding(account_name=account.name, portal_url=portal,
                                                 support_email=account.support_email,
                                                 video_url=account.walkthrough_video_url,
                                                 logo_url=account.logo_url, brand_color=account.brand_color),
                               link_url=link_url(portal, letter.kind, letter.token),
                               expires_at=iso(letter.link.expires_at))


def _stale_subject(old: Item | None) -> HandoverError:
    """The subject changed between our read and our write: say what it became."""
    if old is None:
        return NotFound("No such customer")
    if old.get("status") == "locked":
        return CustomerLocked()
    if old.get("status") == "active":
        return AlreadyClaimed()
    return StorageUnavailable("The account changed meanwhile; please retry")
