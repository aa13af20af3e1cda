"""Client businesses as platform operators manage them (api.md, Operator endpoints)."""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.contract.operators import AccountView
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.errors import NotFound
from handover.identity.callers import Caller, require_clearance, require_operator


class ClientAccounts:
    def __init__(self, *, directory: Directory, clock: Callable[[], float] = time.time) -> None:
        self._directory = directory
        self._clock = clock

    def visible(self, caller: Caller, account_id: str) -> AccountRecord:
        """The business, for an operator cleared for it (a secure one needs the Secure role)."""
        require_operator(caller)
        return cleared(caller, self._directory.accounts.get(account_id))

    def view(self, account: AccountRecord) -> AccountView:
        """The business with its owner (read by key: the owner's id is the business's)."""
        owner = self._directory.staff.get(account.id, account.owner_id) if account.owner_id else None
        return AccountView.of(account, owner, self._clock())


def cleared(caller: Caller, account: AccountRecord | None) -> AccountRecord:
    """The business read for an operator, if there is one and the operator is cleared for it."""
    if account is None:
        raise NotFound("No such business")
    return require_clearance(caller, account)
