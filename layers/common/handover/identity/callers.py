"""Who is calling: a verified token checked against the directory, and what they may do.

Revocation is a per-principal token version: a token whose `ver` is older than the principal's
current one is refused on its very next request; so is a token of a session ended on its own
(logout), listed on the principal item this check reads anyway. A staff token also dies while its business is
locked. Authorization never reveals another tenant's objects: those are 404s, decided by keys
that start with the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.history import Actor
from handover.data.principals import OperatorRecord, PrincipalRecord, StaffRecord
from handover.errors import Forbidden, ImpersonationForbidden, NotFound, SecureAccount, Unauthenticated
from handover.identity.sessions import AccessClaims, Sessions


@dataclass(frozen=True)
class Caller:
    claims: AccessClaims
    principal: PrincipalRecord = field(repr=False)  # holds the password hash: never in a log line
    account: AccountRecord | None = field(default=None, repr=False)
    operator: OperatorRecord | None = field(default=None, repr=False)  # behind a login-as token

    @property
    def realm(self) -> str:
        return self.claims.realm

    @property
    def id(self) -> str:
        return self.claims.sub

    @property
    def account_id(self) -> str:
        if self.claims.acct is None:
            raise Forbidden("This action needs a business account")
        return self.claims.acct

    @property
    def business(self) -> AccountRecord:
        """The caller's business, as read with their staff token (which it still accepted)."""
        if self.account is None:
            raise Forbidden("Only a business's staff may do this")
        return self.account

    @property
    def actor(self) -> Actor:
        """Who did it, for history: the operator behind an impersonation, else the caller."""
        if self.claims.act:
            return Actor(realm="operator", id=self.claims.act.sub, email=self.operator.email if self.operator else None)
        return Actor(realm=self.claims.realm, id=self.id, email=self.principal.email)

    @property
    def on_behalf_of(self) -> Actor | None:
        if self.claims.act:
            return Actor(realm=self.claims.realm, id=self.id, email=self.principal.email)
        return None


class Authenticator:
    def __init__(self, sessions: Sessions, directory: Directory) -> None:
        self._sessions = sessions
        self._directory = directory

    def authenticate(self, authorization: str | None) -> Caller:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Send `Authorization: Bearer <access token>`", token_sent=False)
        claims = self._sessions.decode(token.strip())
        principal: PrincipalRecord | None
        account, operator = None, None
        if claims.realm == "operator":
            principal = self._directory.principals.operator(claims.sub)
        elif claims.acct is None:
            principal = None
        elif claims.realm == "staff":
            operator_id = claims.act.sub if claims.act else None
            principal, account, operator = self._directory.staff.with_account(claims.acct, claims.sub, operator_id)
            if (account is None or account.locked or claims.acct_ver is None
                    or claims.acct_ver < account.token_version or (operator_id and operator is None)):
                principal = None
        else:
            customer = self._directory.customers.get(claims.acct, claims.sub)
            usable = customer is not None and customer.status != "locked" and customer.email_verified
            principal = customer if usable else None
        if principal is None or claims.ver < principal.token_version \
                or claims.session_id in (principal.ended_sessions or {}):
            raise Unauthenticated("The access token has been revoked")
        return Caller(claims=claims, principal=principal, account=account, operator=operator)


def require_staff(caller: Caller, permission: str) -> Caller:
    """A staff member holding `permission` as the directory has it now (so the owner's change of
    a member's permissions holds from their next request on), or an operator logged in as one."""
    if caller.realm != "staff" or not isinstance(caller.principal, StaffRecord):
        raise Forbidden("Only a business's staff may do this")
    if permission not in caller.principal.perms:
        raise Forbidden(f"This needs the `{permission}` permission")
    return caller


def require_owner(caller: Caller) -> Caller:
    """The business's owner (the role as the directory has it now), or an operator logged in as them."""
    if caller.realm != "staff" or not isinstance(caller.principal, StaffRecord) or caller.principal.role != "owner":
        raise Forbidden("Only the business's owner may do this")
    return caller


def require_operator(caller: Caller) -> Caller:
    if caller.realm != "operator":
        raise Forbidden("Only a platform operator may do this")
    return caller


def require_clearance(caller: Caller, account: AccountRecord) -> AccountRecord:
    """On a secure business only operators holding the Secure role may act."""
    if account.secure and not caller.claims.secure:
        raise SecureAccount()
    return account


def cleared(caller: Caller, account: AccountRecord | None) -> AccountRecord:
    """The business read for an operator, if there is one and the operator is cleared for it."""
    if account is None:
        raise NotFound("No such business")
    return require_clearance(caller, account)


def visible_account(caller: Caller, directory: Directory, account_id: str) -> AccountRecord:
    """The business, for an operator cleared for it (a secure one needs the Secure role)."""
    require_operator(caller)
    return cleared(caller, directory.accounts.get(account_id))


def forbid_impersonation(caller: Caller) -> Caller:
    if caller.claims.act is not None:
        raise ImpersonationForbidden()
    return caller


def require_customer(caller: Caller) -> Caller:
    if caller.realm != "customer":
        raise Forbidden("Only a signed-in customer may do this")
    return caller
