"""Bodies of a business's activity as operators see it (GET /v1/operator/accounts/{id}/activity)."""

from __future__ import annotations

from pydantic import Field

from handover.models import Model


class MonthView(Model):
    month: str = Field(description="YYYY-MM, a calendar month in UTC")
    bookings: int = Field(description="Bookings the platform reported for the month (by their `created_at`), "
                                      "cancelled ones included")
    payments: int = Field(description="Payments received in the month, in any currency")
    payments_amount: float = Field(description="The sum of the month's payments in `payments_currency` (0 when "
                                               "there were none), in that currency's units as the platform sends "
                                               "them (10.25 is 10.25 EUR)")
    payments_amount_by_currency: dict[str, float] = Field(
        description="The sum of the month's payments in each currency they came in (ISO 4217 code)")


class StepView(Model):
    key: str
    done: bool
    completed_at: str | None = Field(default=None, description="When the platform reported the step (UTC)")


class OnboardingView(Model):
    in_setup: bool = Field(description="True until an operator marks the setup complete")
    done: int = Field(description="How many of the checklist's steps the business completed")
    total: int = Field(description="How many steps the checklist has (the platform's setting)")
    steps: list[StepView] = Field(description="The checklist, in the platform's order; steps the platform "
                                              "reports that are not on it are left out")


class SiteView(Model):
    site: str = Field(description="An origin the business's booking widget was seen on")
    first_seen_at: str


class ActivityView(Model):
    months: list[MonthView] = Field(description="The last 3 calendar months (UTC), the current one included, "
                                                "oldest first; a month with nothing in it shows zeros")
    payments_currency: str | None = Field(description="The currency of `payments_amount`: the one most of these "
                                                       "months' payments came in (on a tie, the first by code); "
                                                       "null when there were none")
    onboarding: OnboardingView
    sites: list[SiteView] = Field(description="The sites the booking widget was seen on, by origin (at most 100)")
