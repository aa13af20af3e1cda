"""Signing in, for all three realms.

An unknown email, an unknown business and a wrong password all cost one argon2 verification and
end in the same 401; only the right password learns about locks and verification.
"""

from __future__ import annotations

from handover.accounts import find_account
from handover.data.directory import CustomerRecord, Directory, OperatorRecord, PrincipalRecord, Realm, StaffRecord
from handover.emails import normalise_email
from handover.errors import (
    AccountLocked,
    CustomerLocked,
    EmailInvalid,
    InvalidCredentials,
    NotVerified,
)
from handover.passwords import Passwords
from handover.sessions import IssuedToken, Sessions


class Logins:
    def __init__(self, *, directory: Directory, passwords: Passwords, sessions: Sessions) -> None:
        self._directory = directory
        self._passwords = passwords
        self._sessions = sessions

    def login(self, realm: Realm, account_reference: str | None, email: str, password: str) -> IssuedToken:
        principal, account_locked = self._find(realm, account_reference, email)
        if not self._passwords.verify(principal.password_hash if principal else None, password) or not principal:
            raise InvalidCredentials()
        if principal.password_hash and self._passwords.needs_rehash(principal.password_hash):
            self._directory.replace_password_hash(principal, self._passwords.hash(password))
        if account_locked:
            raise AccountLocked()
        if isinstance(principal, CustomerRecord) and principal.status == "locked":
            raise CustomerLocked()
        if not principal.email_verified:
            raise NotVerified()
        if isinstance(principal, OperatorRecord):
            return self._sessions.issue(realm="operator", sub=principal.id, acct=None, role="operator", perms=[],
                                        ver=principal.token_version, secure=principal.secure)
        if isinstance(principal, StaffRecord):
            return self._sessions.issue(realm="staff", sub=principal.id, acct=principal.account_id,
                                        role=principal.role, perms=principal.perms, ver=principal.token_version)
        assert isinstance(principal, CustomerRecord)
        return self._sessions.issue(realm="customer", sub=principal.id, acct=principal.account_id,
                                    role="customer", perms=[], ver=principal.token_version)

    def _find(self, realm: Realm, account_reference: str | None, email: str) -> tuple[PrincipalRecord | None, bool]:
        try:
            email = normalise_email(email)
        except EmailInvalid:
            return None, False
        if realm == "operator":
            return self._directory.principal_by_email("operator", None, email), False
        account = find_account(self._directory, account_reference) if account_reference else None
        if account is None:
            return None, False
        return self._directory.principal_by_email(realm, account.id, email), account.locked and realm == "staff"
