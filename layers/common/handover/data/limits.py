"""Rate counters in fixed windows, kept in the directory table until their TTL removes them.

    LIMIT#<name>#<subject>   W#<window number>   count, expires_ttl
"""

from __future__ import annotations

from handover.data.dynamo import Dynamo


class LimitStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def take(self, name: str, subject: str, *, limit: int, window_seconds: int, now: float) -> int | None:
        """Take one of `limit` slots in the current window; the seconds until the window ends when
        none is left, else None."""
        window = int(now // window_seconds)
        window_end = (window + 1) * window_seconds
        taken = self._dynamo.increment(self.table, _key(name, subject, window), "count",
                                       {"expires_ttl": window_end + 3600}, below=limit)
        return None if taken is not None else max(1, int(window_end - now))

    def give_back(self, name: str, subject: str, *, window_seconds: int, now: float) -> None:
        """Return a slot taken in the current window for work that then failed."""
        self._dynamo.increment(self.table, _key(name, subject, int(now // window_seconds)), "count", by=-1)


def _key(name: str, subject: str, window: int) -> dict[str, str]:
    return {"pk": f"LIMIT#{name}#{subject}", "sk": f"W#{window}"}
