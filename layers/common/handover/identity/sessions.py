"""Access tokens: ES256 JWTs signed through KMS, verified with pyjwt (ES256 only).

A token is good while its signature, `iss`, `aud` and `exp` hold; whether its `ver` is still
current, and its session (`sid`) not ended, is for `callers` to decide against the directory.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping
from typing import Literal

import jwt
from pydantic import ValidationError

from handover.data.accounts import AccountRecord
from handover.data.principals import CustomerRecord, OperatorRecord, PrincipalRecord, StaffRecord
from handover.errors import Unauthenticated
from handover.identity.signer import TokenSigner
from handover.ids import new_id
from handover.models import Model

IMPERSONATION_SECONDS = 15 * 60


class Act(Model):
    sub: str
    realm: Literal["operator"] = "operator"


class AccessClaims(Model):
    iss: str
    aud: str
    sub: str
    iat: int
    exp: int
    jti: str
    realm: Literal["operator", "staff", "customer"]
    acct: str | None = None
    role: str
    perms: list[str] = []
    ver: int
    acct_ver: int | None = None  # staff: the business's token version (locking it retires the token)
    secure: bool | None = None
    act: Act | None = None
    sid: str | None = None  # the session the token belongs to (tokens issued before sessions have none)

    @property
    def session_id(self) -> str:
        """The token's session; a token issued before sessions is a session of its own."""
        return self.sid or self.jti


class AccessToken(Model):
    """A token response without a refresh token (login-as)."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class IssuedToken(AccessToken):
    """A token response of a sign-in or a refresh."""

    refresh_token: str


def _segment(value: Mapping[str, object]) -> str:
    raw = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class Sessions:
    def __init__(self, signer: TokenSigner, *, issuer: str, audience: str, lifetime: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._signer = signer
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime
        self._clock = clock

    def issue(self, *, realm: Literal["operator", "staff", "customer"], sub: str, acct: str | None, role: str,
              perms: list[str], ver: int, acct_ver: int | None = None, secure: bool | None = None,
              act: Act | None = None, sid: str | None = None) -> AccessToken:
        """A signed access token; a session of its own (`sid`) unless one is given."""
        now = int(self._clock())
        lifetime = min(self._lifetime, IMPERSONATION_SECONDS) if act else self._lifetime
        claims = AccessClaims(iss=self._issuer, aud=self._audience, sub=sub, iat=now, exp=now + lifetime,
                              jti=new_id(now), realm=realm, acct=acct, role=role, perms=perms, ver=ver,
                              acct_ver=acct_ver, secure=secure, act=act, sid=sid or new_id(now))
        header = {"alg": "ES256", "typ": "JWT", "kid": self._signer.key_id}
        signing_input = f"{_segment(header)}.{_segment(claims.model_dump(exclude_none=True))}"
        signature = base64.urlsafe_b64encode(self._signer.sign(signing_input.encode())).rstrip(b"=")
        return AccessToken(access_token=f"{signing_input}.{signature.decode('ascii')}", expires_in=lifetime)

    @property
    def lifetime(self) -> int:
        return self._lifetime

    def issue_for(self, principal: PrincipalRecord, account: AccountRecord | None = None, *,
                  ver: int | None = None, act: Act | None = None, sid: str | None = None) -> AccessToken:
        """The token of a principal (with `ver` when it is about to change)."""
        version = principal.token_version if ver is None else ver
        if isinstance(principal, OperatorRecord):
            return self.issue(realm="operator", sub=principal.id, acct=None, role="operator", perms=[], ver=version,
                              secure=principal.secure, sid=sid)
        if isinstance(principal, StaffRecord):
            if account is None:
                raise ValueError("a staff token needs the business")
            return self.issue(realm="staff", sub=principal.id, acct=principal.account_id, role=principal.role,
                              perms=principal.perms, ver=version, acct_ver=account.token_version, act=act, sid=sid)
        assert isinstance(principal, CustomerRecord)
        return self.issue(realm="customer", sub=principal.id, acct=principal.account_id, role="customer", perms=[],
                          ver=version, sid=sid)

    def decode(self, token: str) -> AccessClaims:
        """The verified claims; any doubt about the token is a 401."""
        try:
            if jwt.get_unverified_header(token).get("kid") != self._signer.key_id:
                raise Unauthenticated("The token was not issued by this service")
            payload = jwt.decode(
                token, self._signer.public_key(), algorithms=["ES256"], audience=self._audience,
                issuer=self._issuer, leeway=5,
                options={"require": ["iss", "aud", "sub", "iat", "exp", "jti"]},
            )
            return AccessClaims.model_validate(payload)
        except (jwt.PyJWTError, ValidationError):
            raise Unauthenticated("The access token is invalid or expired") from None
