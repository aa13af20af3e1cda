"""A business's onboarding: the checklist (its steps are a platform setting, the stack parameter
OnboardingSteps; the platform reports each step completed, see handover.events.platform)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handover.contract.activity import OnboardingView, StepView
from handover.data.accounts import AccountRecord
from handover.data.activity import StepRecord


def checklist(account: AccountRecord, steps: Sequence[str], completed: Mapping[str, StepRecord]) -> OnboardingView:
    """The checklist's steps, each done or not; completed steps that are not on it do not count."""
    done = [completed.get(step) for step in steps]
    return OnboardingView(in_setup=account.in_setup, done=sum(record is not None for record in done), total=len(steps),
                          steps=[StepView(key=step, done=record is not None,
                                          completed_at=record.completed_at if record else None)
                                 for step, record in zip(steps, done, strict=True)])

