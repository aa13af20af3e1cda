"""Signing in, for all three realms.

An unknown email, an unknown business and a wrong password all cost one argon2 verification and
end in the same 401; only the right password learns about locks and verification. After five
failed logins for one (realm, business, email) in a 15-minute window, logins for it answer 429
until the window ends, whether the email exists or not.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.accounts.roster import Roster
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.keys import Realm
from handover.data.principals import CustomerRecord, LoginAttempts, PrincipalRecord
from handover.errors import (
    AccountLocked,
    CustomerLocked,
    EmailInvalid,
    InvalidCredentials,
    NotVerified,
    TooManyAttempts,
)
from handover.identity.passwords import Passwords
from handover.identity.refresh import SessionBook
from handover.identity.sessions import IssuedToken
from handover.mail.addresses import normalise_email

FAILED_LOGIN_LIMIT = 5
FAILED_LOGIN_WINDOW = 15 * 60


def login_window(now: float) -> int:
    return int(now // FAILED_LOGIN_WINDOW)


class Logins:
    def __init__(self, *, directory: Directory, passwords: Passwords, sessions: SessionBook, roster: Roster,
                 clock: Callable[[], float] = time.time) -> None:
        self._directory = directory
        self._roster = roster
        self._passwords = passwords
        self._sessions = sessions
        self._clock = clock

    def login(self, realm: Realm, account_reference: str | None, email: str, password: str) -> IssuedToken:
        now = self._clock()
        email = _normalised(email)
        account = None
        if realm != "operator" and account_reference:
            account = self._directory.accounts.find(account_reference)
        # An unknown business still gets a counter of its own, so guessing costs the same everywhere.
        account_key = None if realm == "operator" else (account.id if account else
                                                         f"?{(account_reference or '').strip().lower()}")
        principal, attempts = self._directory.principals.login_candidates(realm, account_key, email)
        self._refuse_while_blocked(attempts, now)
        if not self._passwords.verify(principal.password_hash if principal else None, password) or not principal:
            failures = self._directory.principals.record_login_failure(realm, account_key, email, login_window(now),
                                                            int(now) + 2 * FAILED_LOGIN_WINDOW)
            # The count read before checking comes from an index and may lag behind a burst of
            # guesses; the count written is exact, so every guess past the limit is told so.
            if failures > FAILED_LOGIN_LIMIT:
                raise TooManyAttempts(retry_after=until_window_ends(now))
            raise InvalidCredentials()
        if principal.password_hash and self._passwords.needs_rehash(principal.password_hash):
            self._directory.principals.replace_password_hash(principal, self._passwords.hash(password))
        self._refuse_locked_or_unverified(principal, account)
        issued = self._sessions.sign_in(principal, account)
        if principal.realm == "staff" and account is not None:
            self._roster.touch(account)  # a staff login keeps the business active
        return issued

    def _refuse_while_blocked(self, attempts: list[LoginAttempts], now: float) -> None:
        window = login_window(now)
        if sum(attempt.count for attempt in attempts if attempt.window == window) >= FAILED_LOGIN_LIMIT:
            raise TooManyAttempts(retry_after=until_window_ends(now))

    @staticmethod
    def _refuse_locked_or_unverified(principal: PrincipalRecord, account: AccountRecord | None) -> None:
        if principal.realm == "staff" and account is not None and account.locked:
            raise AccountLocked()
        if isinstance(principal, CustomerRecord) and principal.status == "locked":
            raise CustomerLocked()
        if not principal.email_verified:
            raise NotVerified()


def until_window_ends(now: float) -> int:
    return max(1, int((login_window(now) + 1) * FAILED_LOGIN_WINDOW - now))


def _normalised(email: str) -> str:
    try:
        return normalise_email(email)
    except EmailInvalid:
        return email.strip().lower()
