"""What a business has been doing, for its operators (GET /v1/operator/accounts/{id}/activity):
the last months' bookings and payments, its onboarding checklist and the sites its booking widget
was seen on.

Everything is counted as the platform's events arrive (handover.data.activity), never at read
time: the view is two round trips however many payments there were, one BatchGetItem for the
business, its months' counters and its checklist's steps (all known keys), and one Query for its
sites.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from handover.accounts.onboarding import checklist
from handover.contract.activity import ActivityView, MonthView, SiteView
from handover.data.activity import MonthActivity, months_up_to
from handover.data.directory import Directory
from handover.identity.callers import Caller, cleared, require_operator

MONTHS_SHOWN = 3
SITES_SHOWN = 100


class AccountActivity:
    def __init__(self, *, directory: Directory, onboarding_steps: Sequence[str],
                 clock: Callable[[], float] = time.time) -> None:
        self._directory = directory
        self._steps = list(onboarding_steps)
        self._clock = clock

    def view(self, caller: Caller, account_id: str) -> ActivityView:
        require_operator(caller)
        months = months_up_to(datetime.fromtimestamp(self._clock(), UTC), MONTHS_SHOWN)
        found, counters, completed = self._directory.account_activity(account_id, months, self._steps)
        account = cleared(caller, found)
        sites = self._directory.activity.sites(account.id, SITES_SHOWN)
        currency = main_currency(counters)
        return ActivityView(months=[_month(counter, currency) for counter in counters], payments_currency=currency,
                            onboarding=checklist(account, self._steps, completed),
                            sites=[SiteView(site=site.origin, first_seen_at=site.first_seen_at) for site in sites])


def main_currency(months: Sequence[MonthActivity]) -> str | None:
    """The currency most of the months' payments came in (on a tie, the first by code), so that
    the months' `payments_amount` compare; None when there were no payments."""
    payments: Counter[str] = Counter()
    for month in months:
        payments.update({currency: month.counts.get(currency, 0) for currency in month.amounts})
    return min(payments, key=lambda currency: (-payments[currency], currency)) if payments else None


def _month(counter: MonthActivity, currency: str | None) -> MonthView:
    amounts = {code: float(amount) for code, amount in sorted(counter.amounts.items())}
    return MonthView(month=counter.month, bookings=counter.bookings, payments=counter.payments,
                     payments_amount=amounts.get(currency, 0.0) if currency else 0.0,
                     payments_amount_by_currency=amounts)
