"""Bodies of the auth routes: login, refresh, logout, links, claim, forgot-password, reset, the JWKS,
and a customer's change of their own password."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, StringConstraints

from handover.contract.common import Body, EmailText, LinkToken, PasswordText
from handover.identity.sessions import AccessToken, IssuedToken
from handover.models import Model

__all__ = ["AccessToken", "IssuedToken"]


class LoginRequest(Body):
    realm: Literal["operator", "staff", "customer"]
    account: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    email: EmailText
    password: PasswordText


class RefreshRequest(Body):
    refresh_token: Annotated[SecretStr, Field(min_length=1, max_length=1024)]


class LogoutRequest(Body):
    everywhere: bool = Field(default=False, description="End every session of the caller, not only this one "
                             "(under login-as only the login-as ends)")


class ClaimRequest(Body):
    token: LinkToken
    password: PasswordText


class ChangePasswordRequest(Body):
    current_password: PasswordText
    new_password: PasswordText


class LinkInfo(Model):
    kind: Literal["invite", "reset"]
    account_name: str
    email_hint: str
    expires_at: str


class ForgotPasswordRequest(Body):
    realm: Literal["staff", "customer"]
    account: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    email: EmailText


class ForgotPasswordAccepted(Model):
    message: str = "If this address belongs to an account, a link to reset its password is on its way."


class ResetPasswordRequest(Body):
    token: LinkToken
    password: PasswordText


class Jwk(Model):
    kty: str
    crv: str
    x: str
    y: str
    use: str
    alg: str
    kid: str


class Jwks(Model):
    keys: list[Jwk]
