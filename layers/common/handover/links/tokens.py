"""Emailed links: 32 random bytes, only their SHA-256 stored, expiring, single use, and valid
only while the subject's link version is the one they were issued under (so issuing a new link
revokes every older one)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from handover.data.accounts import AccountRecord
from handover.data.history import expiry_day
from handover.data.links import CustomerSnapshot, LinkKind, LinkRecord, LinkStore
from handover.data.principals import CustomerRecord, PrincipalRecord
from handover.errors import LinkInvalid
from handover.ids import new_token

MAX_TOKEN_LENGTH = 128
_PAGES: dict[LinkKind, str] = {"invite": "claim", "reset": "reset"}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(portal_url: str, kind: LinkKind, token: str) -> str:
    return f"{portal_url.rstrip('/')}/{_PAGES[kind]}?token={token}"


def lifetime(kind: LinkKind, account: AccountRecord) -> int:
    """Seconds a link of this kind lives: the business's own setting."""
    return account.invite_link_days * 24 * 3600 if kind == "invite" else account.reset_link_minutes * 60


class Links:
    def __init__(self, store: LinkStore, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._clock = clock

    def new(self, kind: LinkKind, account: AccountRecord, subject: PrincipalRecord) -> tuple[str, LinkRecord]:
        """A token and its record, valid for the subject's *next* link version; store the record
        in the same transaction that bumps the subject's version."""
        token = new_token()
        now = int(self._clock())
        expires_at = now + lifetime(kind, account)
        record = LinkRecord(
            token_hash=hash_token(token), kind=kind, account_id=account.id, account_name=account.name,
            subject_realm="staff" if subject.realm == "staff" else "customer", subject_id=subject.id,
            email=subject.email, password_profile=account.password_profile,
            link_version=subject.link_version + 1, token_version=subject.token_version,
            account_version=account.token_version if subject.realm == "staff" else None,
            customer=_snapshot(kind, subject), created_at=now, expires_at=expires_at,
            expiry_day=expiry_day(expires_at), expires_ttl=expires_at,
        )
        return token, record

    def valid(self, token: str, kind: LinkKind | None = None) -> LinkRecord:
        """The link, if it exists, is unused, unexpired (TTL deletion lags, so expiry is checked
        here) and of the wanted kind; otherwise 410."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise LinkInvalid()
        link = self.store.get(hash_token(token))
        if link is None or link.used_at is not None or link.expires_at <= self._clock():
            raise LinkInvalid()
        if kind is not None and link.kind != kind:
            raise LinkInvalid()
        return link


def _snapshot(kind: LinkKind, subject: PrincipalRecord) -> CustomerSnapshot | None:
    """A customer as issuing the link leaves them: invited by an invite, one revision on."""
    if not isinstance(subject, CustomerRecord):
        return None
    return CustomerSnapshot(first_name=subject.first_name, last_name=subject.last_name,
                            status="invited" if kind == "invite" else subject.status, revision=subject.revision + 1)
