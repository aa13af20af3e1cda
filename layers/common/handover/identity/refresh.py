"""Sessions: one per sign-in (login, claim, reset, a password change), kept going by refresh tokens.

A refresh token is `<32 random bytes>.<whose>` (base64url; `whose` names the principal, so a
refresh reads the token's item, the principal and their business in one round trip); the
sessions table keeps only its SHA-256. Each refresh spends the token and issues the next in one
transaction: the spend's condition (unspent, unexpired) decides a race, so of two refreshes with
one token one wins. The loser, like any later use of a spent token, is a reuse: it ends the whole
session (a stolen token used after its owner refreshed, or the reverse, ends both) and is
recorded. A session slides 30 days from its last refresh and ends 90 days after its sign-in at
most; whatever bumps the principal's token version (or, for staff, their business's) ends it.
Every failed refresh is the same 401; a locked customer or business is 423.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from aws_lambda_powertools import Logger

from handover.accounts.history import DAY, history_entry
from handover.data.accounts import AccountRecord
from handover.data.dynamo import Dynamo, Write
from handover.data.history import Actor, HistoryStore
from handover.data.keys import Realm
from handover.data.principals import RECORDS, CustomerRecord, PrincipalRecord
from handover.data.sessions import RefreshRecord, SessionStore
from handover.data.wire import Item
from handover.errors import AccountLocked, CustomerLocked, HandoverError, RefreshInvalid, StorageUnavailable
from handover.identity.callers import Caller
from handover.identity.sessions import IssuedToken, Sessions
from handover.ids import new_id, new_token
from handover.links.tokens import hash_token

SLIDING_SECONDS = 30 * DAY
ABSOLUTE_SECONDS = 90 * DAY
GRACE_SECONDS = 60  # the clocks of two functions may differ a little
ATTEMPTS = 3
logger = Logger(child=True)


@dataclass(frozen=True)
class Presented:
    """What a refresh token says of itself (trusted only once its hash is found)."""

    token_hash: str
    realm: Realm
    account_id: str | None
    principal_id: str


def compose(secret: str, realm: Realm, account_id: str | None, principal_id: str) -> str:
    whose = f"{realm}:{account_id or ''}:{principal_id}".encode()
    return f"{secret}.{base64.urlsafe_b64encode(whose).rstrip(b'=').decode('ascii')}"


def parse(token: str) -> Presented:
    secret, dot, whose = token.partition(".")
    try:
        realm, account_id, principal_id = base64.urlsafe_b64decode(whose + "=" * (-len(whose) % 4)).decode().split(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise RefreshInvalid() from None
    if not secret or not dot or not principal_id or realm not in RECORDS or (realm == "operator") != (not account_id):
        raise RefreshInvalid()
    return Presented(hash_token(token), realm, account_id or None, principal_id)  # type: ignore[arg-type]


class SessionBook:
    def __init__(self, *, dynamo: Dynamo, store: SessionStore, sessions: Sessions, history: HistoryStore,
                 retention_days: int, clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._store = store
        self._sessions = sessions
        self._history = history
        self._retention_days = retention_days
        self._clock = clock

    def begin(self, principal: PrincipalRecord, account: AccountRecord | None = None, *,
              ver: int | None = None) -> tuple[IssuedToken, Write]:
        """A new session of `principal` (at token version `ver` when the sign-in's write is about
        to set it): its tokens, and the write that records it, for the sign-in's own transaction."""
        now = int(self._clock())
        session_id = new_id(now)
        access = self._sessions.issue_for(principal, account, ver=ver, sid=session_id)
        token = compose(new_token(), principal.realm, principal.account_ref, principal.id)
        record = RefreshRecord(token_hash=hash_token(token), session_id=session_id, realm=principal.realm,
                               account_id=principal.account_ref, principal_id=principal.id,
                               ver=principal.token_version if ver is None else ver,
                               acct_ver=account.token_version if account and principal.realm == "staff" else None,
                               signed_in_at=now, ends_at=now + ABSOLUTE_SECONDS, expires_at=now + SLIDING_SECONDS)
        return IssuedToken(**access.model_dump(), refresh_token=token), self._store.add(record)

    def sign_in(self, principal: PrincipalRecord, account: AccountRecord | None = None) -> IssuedToken:
        """A new session, recorded at once (a login)."""
        issued, write = self.begin(principal, account)
        self._dynamo.write(write)
        return issued

    def refresh(self, token: str) -> IssuedToken:
        presented = parse(token)
        record, principal, account = self._store.with_holder(presented.token_hash, presented.realm,
                                                             presented.account_id, presented.principal_id)
        now = int(self._clock())
        if record is None or (record.realm, record.account_id, record.principal_id) != (
                presented.realm, presented.account_id, presented.principal_id):
            raise RefreshInvalid()
        if record.spent_at is not None:
            self._reused(record, principal)
        if record.expires_at <= now:
            raise RefreshInvalid()
        if isinstance(principal, CustomerRecord) and principal.status == "locked":
            raise CustomerLocked()
        if record.realm == "staff" and account is not None and account.locked:
            raise AccountLocked()
        if principal is None or not _still_current(record, principal, account):
            raise RefreshInvalid()
        access = self._sessions.issue_for(principal, account, sid=record.session_id)
        next_token = compose(new_token(), record.realm, record.account_id, record.principal_id)
        following = record.model_copy(update={"token_hash": hash_token(next_token), "spent_at": None,
                                              "expires_at": min(now + SLIDING_SECONDS, record.ends_at)})
        try:
            self._dynamo.transact([self._store.spend(record, now, on_failure=_spent_meanwhile),
                                   self._store.not_ended(record.session_id, on_failure=lambda _old: RefreshInvalid()),
                                   self._store.add(following)])
        except _Reused:
            self._reused(record, principal)
        return IssuedToken(**access.model_dump(), refresh_token=next_token)

    def end(self, principal: PrincipalRecord | None, session_id: str, refresh_until: int,
            also: list[Write] | None = None) -> None:
        """End one session at once: no refresh token of it works again (until `refresh_until`, when
        they would have expired anyway), nor does any access token of it, from the next request on.
        Ending it again changes nothing (so a burst of reuses is recorded once)."""
        for _attempt in range(ATTEMPTS):
            now = int(self._clock())
            writes = [self._store.end(session_id, refresh_until, now, on_ended=lambda _old: _AlreadyEnded()),
                      *(also or [])]
            if principal is not None:
                writes.append(self._store.end_on_principal(principal, session_id,
                                                           now + self._sessions.lifetime + GRACE_SECONDS, now,
                                                           on_failure=_PrincipalChanged))
            try:
                self._dynamo.transact(writes)
                return
            except _AlreadyEnded:
                return
            except _PrincipalChanged as changed:  # another session ended meanwhile, or the principal is gone
                principal = RECORDS[principal.realm].model_validate(changed.item) if principal and changed.item \
                    else None
        raise StorageUnavailable()

    def end_everywhere(self, principal: PrincipalRecord) -> None:
        """End every session of the principal (a principal gone meanwhile has none left)."""
        self._dynamo.applied(self._store.end_every_session(principal, on_failure=lambda _old: RefreshInvalid()))

    def log_out(self, caller: Caller, everywhere: bool) -> None:
        """End the caller's session, or with `everywhere` every session of theirs. Under login-as only
        the impersonation ends (the person acted as keeps their sessions), written to the business's
        history with both identities."""
        now = self._clock()
        if caller.claims.act is not None:
            entry = history_entry(account_id=caller.account_id, actor=caller.actor, on_behalf_of=caller.on_behalf_of,
                                  action="operator.login_as_ended", target={"type": "staff", "id": caller.id},
                                  details={"everywhere": everywhere}, retention_days=self._retention_days, now=now)
            self.end(caller.principal, caller.claims.session_id, caller.claims.exp, [self._history.add(entry)])
        elif everywhere:
            self.end_everywhere(caller.principal)
        else:
            self.end(caller.principal, caller.claims.session_id, int(now) + ABSOLUTE_SECONDS)

    def _reused(self, record: RefreshRecord, principal: PrincipalRecord | None) -> NoReturn:
        """A spent token came back: end its session, record it, and refuse."""
        logger.warning("a spent refresh token was presented: its session is ended",
                       extra={"session_id": record.session_id, "realm": record.realm})
        recorded = []
        if record.account_id is not None:
            entry = history_entry(account_id=record.account_id, action="session.refresh_reused",
                                  actor=Actor(realm="system", id="handover"),
                                  target={"type": record.realm, "id": record.principal_id},
                                  details={"session_id": record.session_id}, retention_days=self._retention_days,
                                  now=self._clock())
            recorded.append(self._history.add(entry))
        self.end(principal, record.session_id, record.ends_at, recorded)
        raise RefreshInvalid()


def _still_current(record: RefreshRecord, principal: PrincipalRecord, account: AccountRecord | None) -> bool:
    """Nothing bumped the versions the session was signed in under."""
    if principal.token_version != record.ver or not principal.email_verified:
        return False
    return record.realm != "staff" or (account is not None and account.token_version == record.acct_ver)


class _Reused(HandoverError):
    """The token was spent by a concurrent refresh: never leaves this module."""


class _AlreadyEnded(HandoverError):
    """The session had been ended before: never leaves this module."""


class _PrincipalChanged(HandoverError):
    """The principal item is not as read (or gone): never leaves this module."""

    def __init__(self, item: Item | None) -> None:
        super().__init__()
        self.item = item


def _spent_meanwhile(old: Item | None) -> HandoverError:
    return _Reused() if old is not None and old.get("spent_at") is not None else RefreshInvalid()
