"""The SES events Handover reads: what SES event publishing puts on the default EventBridge bus
(source `aws.ses`) for the emails sent through the stack's configuration set.

The detail-types and the detail (SES's event-publishing record: `eventType`, `mail` with the
message's `tags`, and a `delivery`, `bounce` or `complaint` object) are those of SES's
EventBridge reference ("Monitoring SES events using Amazon EventBridge", and "Contents of event
data that Amazon SES publishes"). Only what Handover uses is required; the rest is ignored.
"""

from __future__ import annotations

from typing import Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import ConfigDict, Field, model_validator

from handover.data.links import Delivery
from handover.models import Model

DETAIL_TYPES = {"Email Delivered": "Delivery", "Email Bounced": "Bounce", "Email Complaint Received": "Complaint"}
_DELIVERY: dict[str, Delivery] = {"Delivery": "delivered", "Bounce": "bounced", "Complaint": "complained"}


class _Ses(Model):
    model_config = ConfigDict(populate_by_name=True)


class SesMail(_Ses):
    message_id: str = Field(alias="messageId", min_length=1)
    destination: list[str] = Field(default_factory=list)
    # Each tag's values, as SES publishes them: the configuration set's own (`ses:*`) and the email's.
    tags: dict[str, list[str]] = Field(default_factory=dict)


class SesRecipient(_Ses):
    email_address: str = Field(alias="emailAddress", min_length=1)


class SesBounce(_Ses):
    # Transient (and Undetermined) bounces arrive once SES has given up retrying: this email failed,
    # the address may still work.
    bounce_type: Literal["Permanent", "Transient", "Undetermined"] = Field(alias="bounceType")
    bounce_sub_type: str | None = Field(default=None, alias="bounceSubType")
    bounced_recipients: list[SesRecipient] = Field(alias="bouncedRecipients", min_length=1)


class SesComplaint(_Ses):
    complained_recipients: list[SesRecipient] = Field(alias="complainedRecipients", min_length=1)


class SesDelivery(_Ses):
    recipients: list[str] = Field(default_factory=list)


class SesMailDetail(_Ses):
    event_type: Literal["Delivery", "Bounce", "Complaint"] = Field(alias="eventType")
    mail: SesMail
    delivery: SesDelivery | None = None
    bounce: SesBounce | None = None
    complaint: SesComplaint | None = None

    @model_validator(mode="after")
    def _carries_its_object(self) -> SesMailDetail:
        if getattr(self, self.event_type.lower()) is None:
            raise ValueError(f"a {self.event_type} event without its `{self.event_type.lower()}` object")
        return self


class SesMailEvent(EventBridgeModel, Model):
    """An SES delivery, bounce or complaint event as EventBridge hands it to a rule's target."""

    source: Literal["aws.ses"]
    detail_type: Literal["Email Delivered", "Email Bounced", "Email Complaint Received"] = Field(alias="detail-type")
    detail: SesMailDetail

    @model_validator(mode="after")
    def _detail_matches_its_type(self) -> SesMailEvent:
        if DETAIL_TYPES[self.detail_type] != self.detail.event_type:
            raise ValueError(f"{self.detail_type!r} carrying a {self.detail.event_type} record")
        return self

    @property
    def delivery(self) -> Delivery:
        """What the event says became of the email."""
        return _DELIVERY[self.detail.event_type]

    @property
    def undeliverable_addresses(self) -> list[str]:
        """The addresses no email should go to any more: permanently bounced, or complaining."""
        if self.detail.bounce is not None and self.detail.bounce.bounce_type == "Permanent":
            return [recipient.email_address for recipient in self.detail.bounce.bounced_recipients]
        if self.detail.complaint is not None:
            return [recipient.email_address for recipient in self.detail.complaint.complained_recipients]
        return []
