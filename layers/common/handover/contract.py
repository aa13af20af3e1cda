"""Request and response bodies of the public API (../shared/docs/api.md), separate from the
stored shapes in `data/`. The OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    SecretStr,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from handover.data.accounts import AccountRecord
from handover.data.bookings import BookingRecord
from handover.data.history import HistoryRecord
from handover.data.principals import CustomerRecord, CustomerStatus
from handover.sessions import IssuedToken

__all__ = ["IssuedToken"]


class _Documented:
    """Adds keywords to a field's JSON schema (the OpenAPI document) without enforcing them
    through pydantic: the rule is enforced elsewhere, with its own error."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


# Free text is printable: str.isprintable() after the white space around it is trimmed, i.e. no
# control or format character, no line break, nothing unassigned. JSON Schema has no portable way
# to say that (a pattern would need Unicode property classes, read against whichever Unicode
# version its engine has), so the document names it as a format of its own.
PRINTABLE = _Documented(format="printable", description="Printable text: no control or format characters and no "
                                                        "line breaks; white space around it is trimmed")


def _printable(value: str) -> str:
    if any(not ch.isprintable() for ch in value):
        raise ValueError("must not contain control characters or line breaks")
    return value


# An address the service accepts for sending email (handover.emails.normalise_email, which answers
# 422 `email_invalid` otherwise): ASCII, an unquoted dot-atom local part, and a domain of at least
# two LDH labels whose last one ends with a letter and is not a special-use name. (White space
# around it is trimmed first, as around every text.)
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"(?![A-Za-z0-9-]{2}--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = r"(?![A-Za-z0-9-]{2}--)(?:[A-Za-z0-9][A-Za-z0-9-]{0,61})?[A-Za-z]"
_SPECIAL_USE = "|".join("".join(f"[{c.upper()}{c}]" for c in name)
                        for name in ("arpa", "invalid", "local", "localhost", "onion", "test"))
ADDRESS_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?!(?:{_SPECIAL_USE})$){_TOP_LABEL}$"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                 AfterValidator(_printable), PRINTABLE]
# An email as typed at sign-in or forgot-password: any text (an unknown one is simply not found).
EmailText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
# An email the service will write to (create, invite, reset): refused with 422 `email_invalid`
# unless it is an address that can receive email. Not `format: email`: that one (RFC 5321) caps
# the local part at 64 characters, which the service does not, so the pattern says it exactly.
EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
                         _Documented(pattern=ADDRESS_PATTERN, description="An address that can receive email "
                                     "(ASCII, unquoted, a domain name with a dot); refused with 422 email_invalid")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_printable),
                  PRINTABLE]
# Secrets are SecretStr so that no log line, even at DEBUG, can print them. A password may be long
# enough to reach the policy's own `max_length` rule, never long enough to cost anything.
PasswordText = Annotated[SecretStr, Field(min_length=1, max_length=4096)]
LinkToken = Annotated[SecretStr, Field(min_length=1, max_length=512)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_printable),
                   PRINTABLE]
# Custom field values are stored as they are, as DynamoDB attributes: strings, booleans, null, and
# integers every JSON reader holds exactly (I-JSON, RFC 7493: at most 2**53 - 1 either way). The
# storage takes no floats, so a non-integral number is refused with 422 here instead of failing
# (500) when the customer is written. DynamoDB refuses empty attribute names, hence min_length.
CustomFieldName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
CustomFieldNumber = Annotated[int, Field(ge=-(2**53 - 1), le=2**53 - 1)]
CustomFields = Annotated[dict[CustomFieldName, str | CustomFieldNumber | bool | None], Field(max_length=50)]


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
    email: EmailAddress
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    custom_fields: CustomFields | None = None
    invite: bool = False


class InviteRequest(Body):
    email: EmailAddress | None = None


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

    email: EmailAddress | None = None


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
