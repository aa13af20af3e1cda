"""The daily cleanup: removes history entries, links and session items past their expiry that
DynamoDB TTL has not removed yet (TTL lags by up to two days). They are found through each table's expiry-day
index, a day at a time, never by scanning, and removed in bounded batches. It also re-derives the
status of the businesses the calendar has moved (handover.accounts.roster), so that little is
left for the operators' list to settle when it is read."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from handover.accounts.history import DAY
from handover.accounts.roster import Roster
from handover.data.history import HistoryStore, expiry_day
from handover.data.links import LinkStore
from handover.data.sessions import SessionStore

DAYS_BACK = 7  # a run looks at the expiry days of the past week, so a missed run catches up
PAGE = 100
MAX_PER_TABLE = 5000  # per run; the rest waits for the next run


@dataclass(frozen=True)
class CleanupReport:
    history_removed: int
    links_removed: int
    accounts_settled: int = 0
    sessions_removed: int = 0


class Cleanup:
    def __init__(self, *, history: HistoryStore, links: LinkStore, roster: Roster | None = None,
                 sessions: SessionStore | None = None, clock: Callable[[], float] = time.time) -> None:
        self._history = history
        self._links = links
        self._roster = roster
        self._sessions = sessions
        self._clock = clock

    def run(self) -> CleanupReport:
        now = int(self._clock())
        days = [expiry_day(now - back * DAY) for back in range(DAYS_BACK, -1, -1)]
        return CleanupReport(history_removed=_sweep(self._history, days, now),
                             links_removed=_sweep(self._links, days, now),
                             accounts_settled=self._roster.settle(batches=MAX_PER_TABLE // PAGE) if self._roster else 0,
                             sessions_removed=_sweep(self._sessions, days, now) if self._sessions else 0)


def _sweep(store: HistoryStore | LinkStore | SessionStore, days: list[str], now: int) -> int:
    removed = 0
    for day in days:
        after = None
        while removed < MAX_PER_TABLE:
            keys, after = store.expired_keys(day, now, min(PAGE, MAX_PER_TABLE - removed), after)
            store.remove(keys)
            removed += len(keys)
            if after is None:
                break
    return removed
