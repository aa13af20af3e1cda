"""The platform's events in (../shared/docs/api.md, Events, the first table): bookings, their
cancellations, payments, the sites the booking widget was seen on and onboarding steps.

Each event is kept once: the same event again fails a condition on its own id (the booking,
the payment, the site, the step) and changes nothing. Order does not matter: a cancellation
that comes before its booking is kept, and the booking comes cancelled. An event that can never
be kept (an unknown detail-type, a detail that breaks its model, a business Handover does not
know) is dropped, and says why, so that EventBridge does not retry it; a dependency that fails
raises, so that it does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from aws_lambda_powertools.utilities.parser import ValidationError, parse

from handover.accounts.roster import Roster
from handover.contract.platform import (
    BookingCancelled,
    BookingCreated,
    OnboardingStepCompleted,
    PaymentReceived,
    PlatformEvent,
    WidgetSeen,
    utc_text,
)
from handover.customers.revisions import settle
from handover.data.activity import PaymentRecord
from handover.data.bookings import BookingReceipt, BookingRecord, EmailLedger
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo
from handover.errors import AlreadyRecorded, NotFound
from handover.mail.addresses import email_hint

Result = Literal["recorded", "duplicate", "malformed", "unknown_business"]
_IDS = ("booking_id", "payment_id", "site", "step")  # what names an event's subject in the logs


@dataclass(frozen=True)
class Outcome:
    """What became of one event, fit for a log line: ids and masked emails, no personal data."""

    result: Result
    detail_type: str | None = None
    about: dict[str, str] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dropped(self) -> bool:
        return self.result in ("malformed", "unknown_business")

    def log_fields(self) -> dict[str, Any]:
        return {"result": self.result, "detail_type": self.detail_type, **self.about,
                **({"problems": self.problems} if self.problems else {})}


class PlatformEvents:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, roster: Roster) -> None:
        self._roster = roster
        self._dynamo = dynamo
        self._directory = directory

    def receive(self, event: Mapping[str, Any]) -> Outcome:
        try:
            parsed = cast(PlatformEvent, parse(event=dict(event), model=cast(Any, PlatformEvent)))
        except (ValidationError, TypeError, ValueError) as error:
            return Outcome("malformed", problems=_problems(error))
        detail, at = parsed.detail, utc_text(parsed.time)
        about = {"account_id": detail.account_id, **{name: str(getattr(detail, name)) for name in _IDS
                                                    if hasattr(detail, name)}}
        try:
            match detail:
                case BookingCreated():
                    about["email"] = email_hint(detail.email)
                    self.booking_created(detail)
                case BookingCancelled():
                    self.booking_cancelled(detail)
                case PaymentReceived():
                    self.payment_received(detail)
                case WidgetSeen():
                    self.widget_seen(detail, at)
                case OnboardingStepCompleted():
                    self.step_completed(detail, at)
        except AlreadyRecorded:
            return Outcome("duplicate", parsed.detail_type, about)
        except NotFound:
            return Outcome("unknown_business", parsed.detail_type, about)
        return Outcome("recorded", parsed.detail_type, about)

    def booking_created(self, detail: BookingCreated) -> None:
        """Filed where its email's ledger says, counted for its holder (or as nobody's yet) and in
        its month."""
        bookings, activity = self._directory.bookings, self._directory.activity
        booking = BookingRecord(id=detail.booking_id, account_id=detail.account_id, email=detail.email,
                                created_at=detail.created_at, reference=detail.reference, starts_at=detail.starts_at,
                                service=detail.service)

        def write(arrival: tuple[BookingReceipt | None, EmailLedger]) -> None:
            self._dynamo.transact([activity.business_exists(booking.account_id),
                                   *bookings.file(booking, *arrival),
                                   activity.count_booking(booking.account_id, booking.created_at[:7])])

        settle(write, read=lambda: bookings.arrival(booking.account_id, booking.id, booking.email))
        if account := self._directory.accounts.get(booking.account_id):
            self._roster.touch(account)  # a booking keeps the business active

    def booking_cancelled(self, detail: BookingCancelled) -> None:
        bookings, activity = self._directory.bookings, self._directory.activity

        def write(seen: BookingReceipt | None) -> None:
            self._dynamo.transact([activity.business_exists(detail.account_id),
                                   *bookings.cancel(detail.account_id, detail.booking_id, seen)])

        # The receipt says where the booking is filed, if it came yet.
        settle(write, read=lambda: bookings.receipt(detail.account_id, detail.booking_id))

    def payment_received(self, detail: PaymentReceived) -> None:
        activity = self._directory.activity
        payment = PaymentRecord(id=detail.payment_id, amount=detail.amount, currency=detail.currency,
                                received_at=detail.received_at, booking_id=detail.booking_id)
        self._dynamo.transact([activity.business_exists(detail.account_id),
                               *activity.add_payment(detail.account_id, payment, detail.received_at[:7])])

    def widget_seen(self, detail: WidgetSeen, at: str) -> None:
        activity = self._directory.activity
        self._dynamo.transact([activity.business_exists(detail.account_id),
                               activity.add_site(detail.account_id, detail.site, at)])

    def step_completed(self, detail: OnboardingStepCompleted, at: str) -> None:
        activity = self._directory.activity
        self._dynamo.transact([activity.business_exists(detail.account_id),
                               activity.complete_step(detail.account_id, detail.step, at)])


def _problems(error: Exception) -> list[dict[str, Any]]:
    """Where the event broke its model, without the values (which may be personal data)."""
    if not isinstance(error, ValidationError):
        return [{"type": type(error).__name__}]
    return [{"loc": [str(part) for part in problem["loc"]], "type": problem["type"],
             **({"tag": str(problem["ctx"]["tag"])[:100]} if "tag" in problem.get("ctx", {}) else {})}
            for problem in error.errors()[:10]]

