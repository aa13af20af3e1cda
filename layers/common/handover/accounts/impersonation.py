"""Login-as: an operator acts as a business's owner or a staff member.

The token says so (`act`, RFC 8693), lives 15 minutes at most and cannot be refreshed; the
login-as itself, everything done with the token and its logout are written to the business's history with
both identities. Not into a locked business (423), nor a secure one without the Secure role (403).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.accounts.history import history_entry
from handover.contract.common import iso
from handover.contract.events import EventPerson, ImpersonationData
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo
from handover.data.history import HistoryStore
from handover.errors import AccountLocked, NotFound
from handover.events.outbox import Outbox, event_actor
from handover.identity.callers import Caller, require_clearance, require_operator
from handover.identity.sessions import AccessToken, Act, Sessions


class Impersonation:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, sessions: Sessions, history: HistoryStore,
                 outbox: Outbox, retention_days: int, clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._outbox = outbox
        self._directory = directory
        self._sessions = sessions
        self._history = history
        self._retention_days = retention_days
        self._clock = clock

    def login_as(self, caller: Caller, account_id: str, staff_id: str | None, reason: str | None) -> AccessToken:
        require_operator(caller)
        # The owner's id is the business's id (see accounts.open), so one read finds both.
        staff, account, _ = self._directory.staff.with_account(account_id, staff_id or account_id)
        if account is None:
            raise NotFound("No such business")
        require_clearance(caller, account)
        if account.locked:
            raise AccountLocked()
        if staff_id is None and account.owner_id != account_id:
            staff = self._directory.staff.get(account.id, account.owner_id or "")
        if staff is None:
            raise NotFound("No such staff member")
        token = self._sessions.issue_for(staff, account, act=Act(sub=caller.id))
        entry = history_entry(account_id=account.id, actor=caller.actor, action="operator.login_as",
                              target={"type": "staff", "id": staff.id},
                              on_behalf_of=None, details={"reason": reason, "as": staff.email, "role": staff.role},
                              retention_days=self._retention_days, now=self._clock())
        started = ImpersonationData(
            operator=EventPerson(**caller.actor.model_dump()), role=staff.role, reason=reason,
            acting_as=EventPerson(realm="staff", id=staff.id, email=staff.email),
            expires_at=iso(int(self._clock()) + token.expires_in))
        self._dynamo.transact([self._history.add(entry),
                               self._outbox.event("impersonation.started", account_id=account.id,
                                                  actor=event_actor(caller.actor), data=started)])
        return token
