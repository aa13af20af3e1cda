"""A business's onboarding: the checklist (its steps are a platform setting, the stack parameter
OnboardingSteps; the platform reports each step completed, see handover.events.platform) and
"in setup", which an operator ends (POST /v1/operator/accounts/{id}/setup-complete).

Ending the setup is written to the business's history, with the operator, in the same
transaction. Doing it again changes nothing and records nothing; so does the loser of two at
once (a condition decides). A locked business may be marked set up too: a lock stops the
business's people, not its operators' bookkeeping.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence

from handover.accounts.history import history_entry
from handover.contract.activity import OnboardingView, StepView
from handover.data.accounts import AccountRecord
from handover.data.activity import StepRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo
from handover.data.history import HistoryStore
from handover.errors import AlreadyRecorded
from handover.identity.callers import Caller, visible_account


def checklist(account: AccountRecord, steps: Sequence[str], completed: Mapping[str, StepRecord]) -> OnboardingView:
    """The checklist's steps, each done or not; completed steps that are not on it do not count."""
    done = [completed.get(step) for step in steps]
    return OnboardingView(in_setup=account.in_setup, done=sum(record is not None for record in done), total=len(steps),
                          steps=[StepView(key=step, done=record is not None,
                                          completed_at=record.completed_at if record else None)
                                 for step, record in zip(steps, done, strict=True)])


class Onboarding:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, history: HistoryStore, retention_days: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._history = history
        self._retention_days = retention_days
        self._clock = clock

    def complete_setup(self, caller: Caller, account_id: str) -> AccountRecord:
        account = visible_account(caller, self._directory, account_id)
        if not account.in_setup:
            return account
        entry = history_entry(account_id=account.id, actor=caller.actor, action="account.setup_completed",
                              target={"type": "account", "id": account.id}, retention_days=self._retention_days,
                              now=self._clock())
        # Another operator's request may end it between the read and this write: theirs is recorded.
        with contextlib.suppress(AlreadyRecorded):
            self._dynamo.transact([self._directory.accounts.end_setup(account.id), self._history.add(entry)])
        return account.model_copy(update={"in_setup": False})
