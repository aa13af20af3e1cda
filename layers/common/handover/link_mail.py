"""Issuing a link and emailing it: the one way invite and reset links leave the service.

The link is stored, and every older link of its subject revoked, in one transaction (with any
extra writes the caller brings, such as a corrected email or history); only then is the email
sent. A failed send leaves a link nobody holds, and the caller's retry issues a new one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from handover.contract import iso
from handover.data.directory import AccountRecord, CustomerRecord, Directory, PrincipalRecord, StaffRecord
from handover.data.dynamo import Dynamo, Item, Write
from handover.data.links import LinkKind, LinkRecord
from handover.errors import AlreadyClaimed, CustomerLocked, HandoverError, NotFound, StorageUnavailable
from handover.links import Links, link_url
from handover.mailer import Branding, Mailer


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
             new_email: str | None = None, extra_writes: Sequence[Write] = ()) -> LinkRecord:
        writes: list[Write] = []
        if new_email and isinstance(subject, CustomerRecord):
            writes += self._directory.move_email_claim(subject, new_email)
        recipient = subject.model_copy(update={"email": new_email or subject.email})
        token, link = self._links.new(kind, account, recipient)
        writes += [
            self._directory.issue_link(subject, link.created_at, _stale_subject, invite=kind == "invite",
                                       new_email=new_email),
            self._links.store.add(link),
            *extra_writes,
        ]
        self._dynamo.transact(writes)
        portal = account.portal_url or self._portal_url
        first_name = subject.first_name if isinstance(subject, CustomerRecord | StaffRecord) else ""
        self._mailer.send_link(kind, to=recipient.email, first_name=first_name,
                               first_password=not subject.password_hash,
                               branding=Branding(account_name=account.name, portal_url=portal),
                               link_url=link_url(portal, kind, token), expires_at=iso(link.expires_at))
        return link


def _stale_subject(old: Item | None) -> HandoverError:
    """The subject changed between our read and our write: say what it became."""
    if old is None:
        return NotFound("No such customer")
    if old.get("status") == "locked":
        return CustomerLocked()
    if old.get("status") == "active":
        return AlreadyClaimed()
    return StorageUnavailable("The account changed meanwhile; please retry")
