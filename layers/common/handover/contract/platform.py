"""The platform's events that Handover reads (../shared/docs/api.md, Events, the first table):
each is an EventBridge event (Powertools' `EventBridgeModel`) whose `detail` has a model of its
own, chosen by the detail-type. Fields the platform adds later are ignored; a field that breaks
its rule makes the whole event malformed (and dropped, see handover.events.platform).

Times are stored as `YYYY-MM-DDTHH:MM:SSZ` in UTC (a time without a zone is read as UTC), so
that they sort as text; emails are normalised as everywhere else; a site is an origin.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import urlsplit

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints, TypeAdapter

from handover.errors import EmailInvalid
from handover.models import Model
from handover.settings import ONBOARDING_STEP

_DATETIME = TypeAdapter(datetime)


def utc_text(value: object) -> str:
    """A time (text, a number or a datetime) as `YYYY-MM-DDTHH:MM:SSZ` in UTC."""
    moment = _DATETIME.validate_python(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _email(value: str) -> str:
    from handover.mail.addresses import normalise_email

    try:
        return normalise_email(value)
    except EmailInvalid as error:
        raise ValueError(error.detail) from None


_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(value: str) -> str:
    """`scheme://host[:port]`, lower-case, without the scheme's default port or a trailing slash."""
    parts = urlsplit(value.strip())
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if (scheme not in _DEFAULT_PORTS or not _HOST.fullmatch(host) or "@" in parts.netloc
            or parts.path not in ("", "/") or parts.query or parts.fragment or "#" in value):
        raise ValueError("must be an origin: http(s)://host or http(s)://host:port")
    port = parts.port  # raises ValueError for a port that is no number up to 65535
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")


# Ids name keys: letters, digits and a little punctuation, never a `#` (the keys' separator).
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")]
Moment = Annotated[str, BeforeValidator(utc_text)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
Site = Annotated[str, StringConstraints(max_length=300), AfterValidator(_origin)]
Currency = Annotated[str, BeforeValidator(lambda value: value.upper() if isinstance(value, str) else value),
                     StringConstraints(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4, allow_inf_nan=False)]


class _Detail(Model):
    model_config = ConfigDict(extra="ignore", frozen=True)

    account_id: Identifier


class BookingCreated(_Detail):
    booking_id: Identifier
    email: Email
    reference: Text | None = None
    service: Text | None = None
    starts_at: Moment | None = None
    created_at: Moment


class BookingCancelled(_Detail):
    booking_id: Identifier


class PaymentReceived(_Detail):
    payment_id: Identifier
    amount: Amount
    currency: Currency
    received_at: Moment
    booking_id: Identifier | None = None


class WidgetSeen(_Detail):
    site: Site


class OnboardingStepCompleted(_Detail):
    step: Annotated[str, StringConstraints(pattern=ONBOARDING_STEP)]


class BookingCreatedEvent(EventBridgeModel, Model):
    detail_type: Literal["booking.created"] = Field(alias="detail-type")
    detail: BookingCreated


class BookingCancelledEvent(EventBridgeModel, Model):
    detail_type: Literal["booking.cancelled"] = Field(alias="detail-type")
    detail: BookingCancelled


class PaymentReceivedEvent(EventBridgeModel, Model):
    detail_type: Literal["payment.received"] = Field(alias="detail-type")
    detail: PaymentReceived


class WidgetSeenEvent(EventBridgeModel, Model):
    detail_type: Literal["widget.seen"] = Field(alias="detail-type")
    detail: WidgetSeen


class OnboardingStepCompletedEvent(EventBridgeModel, Model):
    detail_type: Literal["onboarding.step_completed"] = Field(alias="detail-type")
    detail: OnboardingStepCompleted


PlatformEvent = Annotated[BookingCreatedEvent | BookingCancelledEvent | PaymentReceivedEvent | WidgetSeenEvent
                          | OnboardingStepCompletedEvent, Field(discriminator="detail_type")]
DETAIL_TYPES = ("booking.created", "booking.cancelled", "payment.received", "widget.seen", "onboarding.step_completed")
