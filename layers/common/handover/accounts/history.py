"""History entries: who did what, on whose behalf, to which target; kept 180 days, read by
operators newest first."""

from __future__ import annotations

import time
from typing import Any

from handover.data.directory import Directory
from handover.data.dynamo import Write
from handover.data.history import Actor, HistoryRecord, HistoryStore, expiry_day
from handover.errors import CursorInvalid, NotFound
from handover.identity.callers import Caller, require_clearance, require_operator
from handover.ids import new_id
from handover.paging import decode_cursor, encode_cursor

DAY = 24 * 3600


def history_entry(*, account_id: str, actor: Actor, action: str, target: dict[str, str],
                  on_behalf_of: Actor | None = None, details: dict[str, Any] | None = None,
                  retention_days: int = 180, now: float | None = None) -> HistoryRecord:
    at = time.time() if now is None else now
    expires_at = int(at) + retention_days * DAY
    return HistoryRecord(id=new_id(at), account_id=account_id, at=int(at * 1000), actor=actor,
                         on_behalf_of=on_behalf_of, action=action, target=target, details=details or {},
                         expires_at=expires_at, expiry_day=expiry_day(expires_at), expires_ttl=expires_at)


def impersonated(history: HistoryStore, caller: Caller, action: str, target: dict[str, str], *,
                 details: dict[str, Any], retention_days: int, now: float) -> list[Write]:
    """What an action taken under login-as adds to its transaction: its history entry, with both
    identities. People acting as themselves add nothing."""
    if caller.on_behalf_of is None:
        return []
    entry = history_entry(account_id=caller.account_id, actor=caller.actor, on_behalf_of=caller.on_behalf_of,
                          action=action, target=target, details=details, retention_days=retention_days, now=now)
    return [history.add(entry)]


class HistoryReader:
    def __init__(self, *, directory: Directory, store: HistoryStore) -> None:
        self._directory = directory
        self._store = store

    def page(self, caller: Caller, account_id: str, limit: int,
             cursor: str | None) -> tuple[list[HistoryRecord], str | None]:
        require_operator(caller)
        account = self._directory.accounts.get(account_id)
        if account is None:
            raise NotFound("No such business")
        require_clearance(caller, account)
        after = decode_cursor(cursor)
        if after is not None and after.get("pk") != f"ACCT#{account.id}":
            raise CursorInvalid()
        records, last = self._store.newest(account.id, limit, after)
        return records, encode_cursor(last)
