"""Bodies of the staff routes on customers, and of a customer's own profile."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from handover.contract.common import Body, CustomFields, EmailAddress, Name, PasswordText, Phone, iso
from handover.contract.invites import InviteOutcome
from handover.data.bookings import BookingRecord
from handover.data.links import Delivery, LinkKind
from handover.data.principals import CustomerRecord, CustomerStatus, LastLink
from handover.models import Model


class CreateCustomerRequest(Body):
    email: EmailAddress
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    custom_fields: CustomFields | None = None
    invite: bool = False


class InviteRequest(Body):
    email: EmailAddress | None = None


class PasswordResetRequest(Body):
    """Staff send a customer a reset link, optionally correcting the email first."""

    email: EmailAddress | None = None


class SetPasswordRequest(Body):
    password: PasswordText


class LastLinkView(Model):
    """The newest link emailed to the customer and what became of the email: `sent` until SES
    reports it `delivered`, `bounced` or `complained` (never back again)."""

    kind: LinkKind
    sent_at: str
    expires_at: str
    delivery: Delivery

    @classmethod
    def of(cls, record: LastLink | None) -> LastLinkView | None:
        if record is None:
            return None
        return cls(kind=record.kind, sent_at=iso(record.sent_at), expires_at=iso(record.expires_at),
                   delivery=record.delivery)


class CustomerView(Model):
    id: str
    account_id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    custom_fields: dict[str, Any] = {}
    status: CustomerStatus
    email_verified: bool
    email_deliverable: bool = Field(description="False once email to the address bounced permanently or drew a "
                                    "complaint, until the email is changed; invites and resets to it answer 422 "
                                    "`email_undeliverable`")
    last_link: LastLinkView | None = Field(description="The newest link emailed to the customer, or null")
    booking_count: int
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, record: CustomerRecord) -> CustomerView:
        return cls(id=record.id, account_id=record.account_id, email=record.email, first_name=record.first_name,
                   last_name=record.last_name, phone=record.phone, custom_fields=record.custom_fields,
                   status=record.status, email_verified=record.email_verified,
                   email_deliverable=not record.email_undeliverable, last_link=LastLinkView.of(record.last_link),
                   booking_count=record.booking_count,
                   created_at=iso(record.created_at), updated_at=iso(record.updated_at))


class BookingView(Model):
    id: str
    created_at: str
    reference: str | None = None
    starts_at: str | None = None
    service: str | None = None
    cancelled: bool = False

    @classmethod
    def of(cls, record: BookingRecord) -> BookingView:
        return cls(id=record.id, created_at=record.created_at, reference=record.reference,
                   starts_at=record.starts_at, service=record.service, cancelled=record.cancelled)


class CustomerCreated(Model):
    customer: CustomerView
    invite: InviteOutcome | None = None


class CustomerEnvelope(Model):
    customer: CustomerView


class CustomerDetail(Model):
    customer: CustomerView
    bookings: list[BookingView]

    @classmethod
    def of(cls, record: CustomerRecord, bookings: list[BookingRecord]) -> CustomerDetail:
        return cls(customer=CustomerView.of(record), bookings=[BookingView.of(b) for b in bookings])


class CustomerPage(Model):
    items: list[CustomerView]
    next_cursor: str | None


class BookingPage(Model):
    items: list[BookingView]
    next_cursor: str | None


class UpdateCustomerRequest(Body):
    """Staff change a customer's profile: any of these; `phone: null` removes the phone and
    `custom_fields` is a JSON merge patch (a `null` value removes that key)."""

    # Not nullable (the document says so; a `null` is refused below): only the phone can be removed.
    first_name: Name | SkipJsonSchema[None] = None
    last_name: Name | SkipJsonSchema[None] = None
    email: EmailAddress | SkipJsonSchema[None] = None
    phone: Phone | None = None
    custom_fields: CustomFields | None = None

    @field_validator("first_name", "last_name", "email")
    @classmethod
    def _not_removed(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("cannot be removed")
        return value


class OwnProfileUpdate(Body):
    """A customer changes their own profile: the phone and the custom fields the business lets
    customers edit. Names and email are the business's: naming them is refused (403)."""

    phone: Phone | None = None
    custom_fields: CustomFields | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    email: EmailAddress | None = None
