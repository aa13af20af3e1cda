"""Bodies of the public auth routes: login, links, claim, forgot-password, reset, the JWKS."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from handover.contract.common import Body, EmailText, LinkToken, PasswordText
from handover.identity.sessions import IssuedToken

__all__ = ["IssuedToken"]


class LoginRequest(Body):
    realm: Literal["operator", "staff", "customer"]
    account: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    email: EmailText
    password: PasswordText


class ClaimRequest(Body):
    token: LinkToken
    password: PasswordText


class LinkInfo(BaseModel):
    kind: Literal["invite", "reset"]
    account_name: str
    email_hint: str
    expires_at: str


class ForgotPasswordRequest(Body):
    realm: Literal["staff", "customer"]
    account: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    email: EmailText


class ForgotPasswordAccepted(BaseModel):
    message: str = "If this address belongs to an account, a link to reset its password is on its way."


class ResetPasswordRequest(Body):
    token: LinkToken
    password: PasswordText


class Jwk(BaseModel):
    kty: str
    crv: str
    x: str
    y: str
    use: str
    alg: str
    kid: str


class Jwks(BaseModel):
    keys: list[Jwk]
