"""The cleanup's index (`by_expiry_day` on the links, history and sessions tables): every item that
expires carries `expiry_day` (its index key) and `expires_at` (the index's sort key).

One day's key alone would put every item expiring that day in one index partition, which takes
about 1,000 writes a second: a bulk invite of 100,000 links, all expiring on the same day, would
make it hot and throttle the table's own writes. So the key is the day and one of SHARDS shards,
chosen from the item's own key (`<day>#<shard>`), and the cleanup reads each shard of a day with
a Query of its own (`keys_of_day`): SHARDS bounded Queries a day per table, most of them empty.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

EXPIRY_INDEX = "by_expiry_day"
SHARDS = 16


def expiry_day(epoch_seconds: int, spread_by: str) -> str:
    """The `expiry_day` of an item that expires at `epoch_seconds`, whose key is `spread_by`."""
    shard = int.from_bytes(hashlib.sha256(spread_by.encode()).digest()[:2], "big") % SHARDS
    return f"{day_of(epoch_seconds)}#{shard:02d}"


def keys_of_day(epoch_seconds: int) -> list[str]:
    """Every `expiry_day` of the day of `epoch_seconds`: its shards, and the bare day that items
    written before the index was sharded carry."""
    day = day_of(epoch_seconds)
    return [day, *(f"{day}#{shard:02d}" for shard in range(SHARDS))]


def day_of(epoch_seconds: int) -> str:
    """The UTC day (YYYY-MM-DD) of `epoch_seconds`."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%d")
