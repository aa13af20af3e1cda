"""A business's activity, as the platform's events report it: payments, the sites its booking
widget was seen on, the onboarding steps it completed, and per-month counters, for the operator
portal. Every item is kept once, by a condition on its own id; counters move in the same
transaction as the item they count, so they always equal what is kept.

    ACCT#<acct>#ACTIVITY   MONTH#<YYYY-MM>     bookings, payments, payments_amount (all currencies),
                                               amount_<currency> (one sum per currency),
                                               count_<currency> (payments per currency)
    ACCT#<acct>#ACTIVITY   PAYMENT#<id>        a payment: amount, currency, received_at, booking_id
    ACCT#<acct>#ACTIVITY   SITE#<origin>       a site the widget was seen on: first_seen_at
    ACCT#<acct>#ACTIVITY   STEP#<step>         an onboarding step completed: completed_at
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from handover.data.dynamo import Dynamo, Write, check, put, update
from handover.data.keys import account_key
from handover.data.wire import Item
from handover.errors import AlreadyRecorded, NotFound
from handover.models import Model

_AMOUNT = "amount_"
_COUNT = "count_"


class MonthActivity(Model):
    month: str  # YYYY-MM
    bookings: int = 0
    payments: int = 0
    payments_amount: Decimal = Decimal(0)
    amounts: dict[str, Decimal] = {}  # by currency
    counts: dict[str, int] = {}  # payments by currency


class PaymentRecord(Model):
    id: str
    amount: Decimal
    currency: str
    received_at: str
    booking_id: str | None = None


class SiteRecord(Model):
    origin: str
    first_seen_at: str


class StepRecord(Model):
    step: str
    completed_at: str


def _partition(account_id: str) -> str:
    return f"ACCT#{account_id}#ACTIVITY"


def month_key(account_id: str, month: str) -> Item:
    return {"pk": _partition(account_id), "sk": f"MONTH#{month}"}


def step_key(account_id: str, step: str) -> Item:
    return {"pk": _partition(account_id), "sk": f"STEP#{step}"}


def _month(item: Item) -> MonthActivity:
    return MonthActivity(month=item["sk"].removeprefix("MONTH#"), bookings=item.get("bookings", 0),
                         payments=item.get("payments", 0), payments_amount=Decimal(str(item.get("payments_amount", 0))),
                         amounts={name.removeprefix(_AMOUNT): Decimal(str(value)) for name, value in item.items()
                                  if name.startswith(_AMOUNT)},
                         counts={name.removeprefix(_COUNT): int(value) for name, value in item.items()
                                 if name.startswith(_COUNT)})


def month_of(month: str, item: Item | None) -> MonthActivity:
    """A month's counters from its item; zeros when nothing happened in it (no item)."""
    return _month(item) if item else MonthActivity(month=month)


def step_of(item: Item) -> StepRecord:
    return StepRecord(step=item["sk"].removeprefix("STEP#"), completed_at=item["completed_at"])


def months_up_to(now: datetime, count: int) -> list[str]:
    """The `count` months (YYYY-MM) up to and including `now`'s (UTC), oldest first."""
    moment = now.astimezone(UTC)
    last = moment.year * 12 + moment.month - 1
    return [f"{number // 12:04d}-{number % 12 + 1:02d}" for number in range(last - count + 1, last + 1)]


class ActivityStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    # -- reads (GET /v1/operator/accounts/{id}/activity) ---------------------------------------

    def months(self, account_id: str, first: str, last: str) -> list[MonthActivity]:
        """The counters of the months from `first` to `last` (YYYY-MM), oldest first, a month with
        nothing in it included as zeros; one Query."""
        items, _ = self._dynamo.query(self.table, "pk = :pk AND sk BETWEEN :first AND :last",
                                      {":pk": _partition(account_id), ":first": f"MONTH#{first}",
                                       ":last": f"MONTH#{last}"}, consistent=True)
        found = {item["sk"].removeprefix("MONTH#"): item for item in items}
        return [month_of(month, found.get(month)) for month in _months_between(first, last)]

    def last_months(self, account_id: str, count: int, now: datetime) -> list[MonthActivity]:
        """The counters of the `count` months up to and including `now`'s (UTC), oldest first."""
        months = months_up_to(now, count)
        return self.months(account_id, months[0], months[-1])

    def sites(self, account_id: str, limit: int = 100) -> list[SiteRecord]:
        """The sites the widget was seen on, in order of origin; one Query."""
        return [SiteRecord(origin=item["sk"].removeprefix("SITE#"), first_seen_at=item["first_seen_at"])
                for item in self._prefixed(account_id, "SITE#", limit)]

    def completed_steps(self, account_id: str, limit: int = 100) -> list[StepRecord]:
        """The onboarding steps completed, in order of key; one Query."""
        return [step_of(item) for item in self._prefixed(account_id, "STEP#", limit)]

    def _prefixed(self, account_id: str, prefix: str, limit: int) -> list[Item]:
        items, _ = self._dynamo.query(self.table, "pk = :pk AND begins_with(sk, :prefix)",
                                      {":pk": _partition(account_id), ":prefix": prefix}, limit=limit)
        return items

    # -- writes, as transaction operations -----------------------------------------------------

    def business_exists(self, account_id: str) -> Write:
        """Events for a business Handover does not know are dropped, decided in the write itself."""
        return check(self.table, account_key(account_id), "attribute_exists(pk)",
                     on_condition_failure=lambda _old: NotFound("No such business"))

    def count_booking(self, account_id: str, month: str) -> Write:
        return update(self.table, month_key(account_id, month), "ADD bookings :one", values={":one": 1})

    def add_payment(self, account_id: str, payment: PaymentRecord, month: str) -> list[Write]:
        """The payment, once (else `AlreadyRecorded`), counted in its month, in its currency too."""
        return [
            put(self.table, {"pk": _partition(account_id), "sk": f"PAYMENT#{payment.id}",
                             **payment.model_dump(exclude_none=True)}, "attribute_not_exists(pk)",
                on_condition_failure=lambda _old: AlreadyRecorded("This payment was recorded already")),
            update(self.table, month_key(account_id, month),
                   "ADD payments :one, payments_amount :amount, #currency :amount, #count :one",
                   names={"#currency": f"{_AMOUNT}{payment.currency}", "#count": f"{_COUNT}{payment.currency}"},
                   values={":one": 1, ":amount": payment.amount}),
        ]

    def add_site(self, account_id: str, origin: str, seen_at: str) -> Write:
        return put(self.table, {"pk": _partition(account_id), "sk": f"SITE#{origin}", "first_seen_at": seen_at},
                   "attribute_not_exists(pk)", on_condition_failure=lambda _old: AlreadyRecorded("Site seen before"))

    def complete_step(self, account_id: str, step: str, completed_at: str) -> Write:
        return put(self.table, {**step_key(account_id, step), "completed_at": completed_at},
                   "attribute_not_exists(pk)",
                   on_condition_failure=lambda _old: AlreadyRecorded("Step completed before"))


def _months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    found = []
    while (year, month) <= end:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
