"""Request and response bodies of the public API (../shared/docs/api.md), separate from the
stored shapes in `data/`. The OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from handover.data.directory import AccountRecord, BookingRecord, CustomerRecord, CustomerStatus
from handover.data.history import HistoryRecord
from handover.sessions import IssuedToken

__all__ = ["IssuedToken"]


def _printable(value: str) -> str:
    if any(not ch.isprintable() for ch in value):
        raise ValueError("must not contain control characters or line breaks")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                 AfterValidator(_printable)]
EmailText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_printable)]
# Secrets are SecretStr so that no log line, even at DEBUG, can print them. A password may be long
# enough to reach the policy's own `max_length` rule, never long enough to cost anything.
PasswordText = Annotated[SecretStr, Field(min_length=1, max_length=4096)]
LinkToken = Annotated[SecretStr, Field(min_length=1, max_length=512)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_printable)]
CustomFields = Annotated[dict[str, str | int | float | bool | None], Field(max_length=50)]


def iso(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat().replace("+00:00", "Z")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class CreateCustomerRequest(Body):
    email: EmailText
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    custom_fields: CustomFields | None = None
    invite: bool = False


class InviteRequest(Body):
    email: EmailText | None = None


class ForgotPasswordRequest(Body):
    realm: Literal["staff", "customer"]
    account: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    email: EmailText


class ForgotPasswordAccepted(BaseModel):
    message: str = "If this address belongs to an account, a link to reset its password is on its way."


class ResetPasswordRequest(Body):
    token: LinkToken
    password: PasswordText


class PasswordResetRequest(Body):
    """Staff send a customer a reset link, optionally correcting the email first."""

    email: EmailText | None = None


class SetPasswordRequest(Body):
    password: PasswordText


class LockRequest(Body):
    reason: Reason | None = None


class LoginAsRequest(Body):
    staff_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    reason: Reason | None = None


class AccountView(BaseModel):
    id: str
    name: str
    nickname: str
    locked: bool
    locked_reason: str | None = None
    secure: bool
    created_at: str

    @classmethod
    def of(cls, record: AccountRecord) -> AccountView:
        return cls(id=record.id, name=record.name, nickname=record.nickname, locked=record.locked,
                   locked_reason=record.locked_reason, secure=record.secure, created_at=iso(record.created_at))


class AccountEnvelope(BaseModel):
    account: AccountView


class ActorView(BaseModel):
    realm: str
    id: str
    email: str | None = None


class HistoryItem(BaseModel):
    at: str
    actor: ActorView
    on_behalf_of: ActorView | None = None
    action: str
    target: dict[str, str]
    details: dict[str, Any]

    @classmethod
    def of(cls, record: HistoryRecord) -> HistoryItem:
        at = datetime.fromtimestamp(record.at / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return cls(at=at, actor=ActorView(**record.actor.model_dump()), action=record.action, target=record.target,
                   on_behalf_of=ActorView(**record.on_behalf_of.model_dump()) if record.on_behalf_of else None,
                   details=record.details)


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    next_cursor: str | None


class InviteAccepted(BaseModel):
    expires_at: str


class InviteOutcome(BaseModel):
    """What became of `invite: true` on create: sent (with the link's expiry) or not, and why."""

    sent: bool
    expires_at: str | None = None
    code: str | None = None


class CustomerView(BaseModel):
    id: str
    account_id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    custom_fields: dict[str, Any] = {}
    status: CustomerStatus
    email_verified: bool
    booking_count: int
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, record: CustomerRecord, booking_count: int) -> CustomerView:
        return cls(id=record.id, account_id=record.account_id, email=record.email, first_name=record.first_name,
                   last_name=record.last_name, phone=record.phone, custom_fields=record.custom_fields,
                   status=record.status, email_verified=record.email_verified, booking_count=booking_count,
                   created_at=iso(record.created_at), updated_at=iso(record.updated_at))


class BookingView(BaseModel):
    id: str
    reference: str | None = None
    starts_at: str | None = None
    service: str | None = None

    @classmethod
    def of(cls, record: BookingRecord) -> BookingView:
        return cls(id=record.id, reference=record.reference, starts_at=record.starts_at, service=record.service)


class CustomerCreated(BaseModel):
    customer: CustomerView
    invite: InviteOutcome | None = None


class CustomerEnvelope(BaseModel):
    customer: CustomerView


class CustomerDetail(BaseModel):
    customer: CustomerView
    bookings: list[BookingView]

    @classmethod
    def of(cls, record: CustomerRecord, bookings: list[BookingRecord]) -> CustomerDetail:
        return cls(customer=CustomerView.of(record, len(bookings)), bookings=[BookingView.of(b) for b in bookings])


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


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ValidationIssue] | None = None
    failed_rules: list[str] | None = None
