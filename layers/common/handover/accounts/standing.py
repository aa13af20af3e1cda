"""Where a client business stands, for the operators' counts and `?status=` (api.md, Operator
endpoints): `locked` if locked; else `new` if created in the last 30 days; else `active` if it had
a staff login or a booking in the last 30 days; else `inactive`. Time alone moves a business
from `new` to `active` or `inactive`, and from `active` to `inactive`: `changes_at` says when.
"""

from __future__ import annotations

from handover.data.accounts import AccountRecord, AccountStatus

DAY = 24 * 3600
WINDOW_SECONDS = 30 * DAY
# A new business waits this long before it may send links, unless an operator says otherwise.
SEND_LINKS_AFTER_SECONDS = WINDOW_SECONDS


def status_of(account: AccountRecord, now: float) -> AccountStatus:
    if account.locked:
        return "locked"
    if now < account.created_at + WINDOW_SECONDS:
        return "new"
    if account.last_active_at is not None and now < account.last_active_at + WINDOW_SECONDS:
        return "active"
    return "inactive"


def changes_at(account: AccountRecord, now: float) -> int | None:
    """When the calendar alone next changes the business's status (None: it never will)."""
    status = status_of(account, now)
    if status == "new":
        return account.created_at + WINDOW_SECONDS
    if status == "active":
        assert account.last_active_at is not None
        return account.last_active_at + WINDOW_SECONDS
    return None


def send_links_allowed(account: AccountRecord, now: float) -> bool:
    return bool(account.send_links) or now - account.created_at > SEND_LINKS_AFTER_SECONDS
