"""The daily cleanup: removes history entries, links and session items past their expiry that
DynamoDB TTL has not removed yet (TTL lags by up to two days). They are found through each table's
expiry-day index, a day and a shard at a time (data/expiry.py), never by scanning, and removed in
bounded batches. Only days that have ended are read, since every item of such a day has expired
(today's wait for tomorrow's run), and only those after the table's mark (data/sweeps.py): the
last day a run swept to the end. A daily run reads one day; after missed runs, the days since.
It also re-derives the status of the businesses the calendar has moved
(handover.accounts.roster), so that little is left for the operators' list to settle when it is
read."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from handover.accounts.history import DAY
from handover.accounts.roster import Roster
from handover.data.expiry import day_of, keys_of_day
from handover.data.history import HistoryStore
from handover.data.links import LinkStore
from handover.data.sessions import SessionStore
from handover.data.sweeps import SweepMarks

DAYS_BACK = 7  # the most days a run reads: a table never swept (or not for a week) starts this far back
PAGE = 100
MAX_PER_TABLE = 5000  # per run; the rest waits for the next run
ExpiringStore = HistoryStore | LinkStore | SessionStore


@dataclass(frozen=True)
class CleanupReport:
    history_removed: int
    links_removed: int
    accounts_settled: int = 0
    sessions_removed: int = 0


class Cleanup:
    def __init__(self, *, history: HistoryStore, links: LinkStore, sessions: SessionStore, marks: SweepMarks,
                 roster: Roster | None = None, clock: Callable[[], float] = time.time) -> None:
        self._tables: dict[str, ExpiringStore] = {"history": history, "links": links, "sessions": sessions}
        self._marks = marks
        self._roster = roster
        self._clock = clock

    def run(self) -> CleanupReport:
        now = int(self._clock())
        swept = self._marks.swept()
        removed = {name: self._sweep(name, store, swept.get(name, ""), now) for name, store in self._tables.items()}
        return CleanupReport(history_removed=removed["history"], links_removed=removed["links"],
                             accounts_settled=self._roster.settle(batches=MAX_PER_TABLE // PAGE) if self._roster else 0,
                             sessions_removed=removed["sessions"])

    def _sweep(self, name: str, store: ExpiringStore, swept_through: str, now: int) -> int:
        """Removes what expired on the ended days after `swept_through`; marks the table swept
        through yesterday when nothing was left for the next run."""
        days = [day for day in (now - back * DAY for back in range(DAYS_BACK, 0, -1)) if day_of(day) > swept_through]
        removed = 0
        for key in (key for day in days for key in keys_of_day(day)):
            after = None
            while removed < MAX_PER_TABLE:
                keys, after = store.expired_keys(key, now, min(PAGE, MAX_PER_TABLE - removed), after)
                store.remove(keys)
                removed += len(keys)
                if after is None:
                    break
        if days and removed < MAX_PER_TABLE:
            self._marks.advance(name, day_of(now - DAY))
        return removed
