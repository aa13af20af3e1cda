"""Issuing a link and emailing it: the one way invite and reset links leave the service.

The link is stored, and every older link of its subject revoked, in one transaction (with any
extra writes the caller brings, such as a corrected email, history or the Idempotency-Key's
answer, and a customer's `last_link`); only then is the email sent, tagged with the link it
carries. A failed send leaves a link nobody holds, and the caller's retry issues a new one; a
customer's `last_link` is put back as it was, so it never names an email that did not go out.
Nothing is sent to an address known to be undeliverable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aws_lambda_powertools import Logger

from handover.contract.common import iso
from handover.customers.revisions import stale
from handover.customers.search import index_writes
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, FailureFactory, Write
from handover.data.links import LinkKind, LinkRecord
from handover.data.principals import AttachedBookings, CustomerRecord, LastLink, PrincipalRecord, StaffRecord
from handover.data.wire import Item
from handover.errors import (
    AlreadyClaimed,
    DependencyUnavailable,
    EmailUndeliverable,
    HandoverError,
    NotFound,
    StorageUnavailable,
)
from handover.idempotency import NO_KEY, Answer, Receipt
from handover.links.tokens import Links, link_url
from handover.mail.mailer import Branding, Mailer
from handover.mail.tags import MailTags

logger = Logger(child=True)
CLAIMED = "This staff member has already set a password"


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

    @property
    def last_link(self) -> LastLink:
        """What a customer's `last_link` says once the link is issued."""
        return LastLink.of(self.link)


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
        request's Idempotency-Key, so a retry sends it. An address known to be undeliverable gets
        nothing (`email_undeliverable`) unless this corrects it."""
        letter, writes = self.issue(kind, account, subject, new_email=new_email, receipt=receipt)
        writes += [*extra_writes, *with_link(letter.link)]
        self._dynamo.transact(writes)
        try:
            self.deliver(letter)
        except Exception:
            receipt.forget()
            raise
        return letter.link

    def issue(self, kind: LinkKind, account: AccountRecord, subject: PrincipalRecord, *,
              new_email: str | None = None, receipt: Receipt = NO_KEY) -> tuple[Letter, list[Write]]:
        """The letter and the writes that issue its link (revoking the subject's earlier links), for
        one transaction the caller may add to; deliver the letter once it commits. An address known
        to be undeliverable gets nothing (`email_undeliverable`) unless this corrects it."""
        if subject.email_undeliverable and not new_email:
            raise EmailUndeliverable()
        letter = self.prepare(kind, account, subject, new_email=new_email)
        writes = receipt.writes(sent_answer(letter.link))
        on_stale: FailureFactory = _stale_subject(kind)
        taken: list[AttachedBookings] = []
        last_link = None
        if isinstance(subject, CustomerRecord):
            on_stale = stale(subject)
            last_link = letter.last_link
            if new_email:
                ledger = self._directory.bookings.ledger(subject.account_id, new_email)
                taken = ledger.unattached()
                writes += [*self._directory.customers.move_email_claim(subject, new_email),
                           *self._directory.bookings.move(subject, ledger)]
            after = subject.model_copy(update={"email": new_email or subject.email,
                                               "status": "invited" if kind == "invite" else subject.status})
            writes += index_writes(self._directory.search, subject, after)
        if not new_email:
            on_stale = _undeliverable_or(on_stale)
        writes += [
            self._directory.principals.issue_link(subject, letter.link.created_at, on_stale,
                                                  invite=kind == "invite", new_email=new_email, taken=taken,
                                                  last_link=last_link),
            letter.write,
        ]
        return letter, writes

    def prepare(self, kind: LinkKind, account: AccountRecord, subject: PrincipalRecord, *,
                new_email: str | None = None) -> Letter:
        """A new link for the subject's next link version; store `letter.link` in the transaction
        that moves the subject to that version."""
        recipient = subject.model_copy(update={"email": new_email or subject.email})
        token, link = self._links.new(kind, account, recipient)
        return Letter(kind, account, subject, recipient.email, token, link, self._links.store.add(link))

    def deliver(self, letter: Letter) -> None:
        """Email the stored letter, tagged with its link. If it cannot be sent, a customer's
        `last_link` (written with the link) is put back as it was before."""
        account, subject = letter.account, letter.subject
        portal = account.portal_url or self._portal_url
        first_name = subject.first_name if isinstance(subject, CustomerRecord | StaffRecord) else ""
        try:
            self._mailer.send_link(letter.kind, to=letter.recipient, first_name=first_name,
                                   first_password=not subject.password_hash,
                                   branding=Branding(account_name=account.name, portal_url=portal,
                                                     support_email=account.support_email,
                                                     video_url=account.walkthrough_video_url,
                                                     logo_url=account.logo_url, brand_color=account.brand_color),
                                   link_url=link_url(portal, letter.kind, letter.token),
                                   expires_at=iso(letter.link.expires_at), tags=MailTags.of(letter.link).as_tags())
        except Exception:
            if isinstance(subject, CustomerRecord):
                self._put_back_last_link(subject, letter.last_link)
            raise

    def _put_back_last_link(self, customer: CustomerRecord, issued: LastLink) -> None:
        """The compensating write of a send that failed, made only while `issued` is still the last
        link (a newer one, sent meanwhile, stays)."""
        try:
            self._dynamo.applied(self._directory.customers.restore_last_link(customer, issued))
        except DependencyUnavailable:
            # The caller answers for the email that failed; last_link keeps saying `sent` until the next link.
            logger.warning("last_link not put back after a failed send", extra={"customer_id": customer.id})


def _undeliverable_or(otherwise: FailureFactory) -> FailureFactory:
    """A failed issue is `email_undeliverable` when a bounce or complaint landed meanwhile."""

    def failure(old: Item | None) -> HandoverError:
        return EmailUndeliverable() if old is not None and old.get("email_undeliverable") else otherwise(old)

    return failure


def _stale_subject(kind: LinkKind) -> FailureFactory:
    """A staff member (customers have `revisions.stale`) changed between our read and our write:
    say what they became."""

    def failure(old: Item | None) -> HandoverError:
        if old is None:
            return NotFound("No such staff member")
        if kind == "invite" and old.get("password_hash"):
            return AlreadyClaimed(CLAIMED)
        return StorageUnavailable("The account changed meanwhile; please retry")

    return failure
