"""What a signed-in customer does to their own account beyond their profile: change the password.

The current password is required and guessed no more often than logins are (the same window
and limit); the new one follows the business's password policy. Every other session ends at
once (the token version moves on) and the answer is a new session at the new version.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.contract.events import CustomerSummary, PasswordResetData
from handover.customers.revisions import settle, stale
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo
from handover.data.principals import CustomerRecord
from handover.errors import CurrentPasswordInvalid, CustomerLocked, NotFound, TooManyAttempts
from handover.events.outbox import Outbox, event_actor
from handover.identity import password_policy
from handover.identity.callers import Caller
from handover.identity.logins import FAILED_LOGIN_LIMIT, FAILED_LOGIN_WINDOW, login_window, until_window_ends
from handover.identity.passwords import Passwords
from handover.identity.refresh import SessionBook
from handover.identity.sessions import IssuedToken


class SelfService:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, passwords: Passwords, sessions: SessionBook,
                 outbox: Outbox, clock: Callable[[], float] = time.time) -> None:
        self._outbox = outbox
        self._dynamo = dynamo
        self._directory = directory
        self._passwords = passwords
        self._sessions = sessions
        self._clock = clock

    def change_password(self, caller: Caller, current_password: str, new_password: str) -> IssuedToken:
        customer = caller.principal
        if not isinstance(customer, CustomerRecord):
            raise NotFound("No such customer")
        now = self._clock()
        window = login_window(now)
        if self._directory.principals.failed_logins("customer", customer.account_id, customer.email,
                                                    window) >= FAILED_LOGIN_LIMIT:
            raise TooManyAttempts(retry_after=until_window_ends(now))
        if not self._passwords.verify(customer.password_hash, current_password):
            failures = self._directory.principals.record_login_failure(
                "customer", customer.account_id, customer.email, window, int(now) + 2 * FAILED_LOGIN_WINDOW)
            if failures > FAILED_LOGIN_LIMIT:
                raise TooManyAttempts(retry_after=until_window_ends(now))
            raise CurrentPasswordInvalid()
        account = self._directory.accounts.get(customer.account_id)
        if account is None:
            raise NotFound("No such business")
        password_policy.enforce(new_password, profile=account.password_profile, email=customer.email)
        password_hash = self._passwords.hash(new_password)

        def write(customer: CustomerRecord) -> IssuedToken:
            if customer.status == "locked":
                raise CustomerLocked()
            issued, session = self._sessions.begin(customer, ver=customer.token_version + 1)
            self._dynamo.transact([
                self._directory.customers.set_password(customer, password_hash, int(now), stale(customer)),
                session,
                self._outbox.event("customer.password_reset", account_id=customer.account_id,
                                   actor=event_actor(caller.actor),
                                   data=PasswordResetData(customer=CustomerSummary.of(customer), method="self")),
            ])
            return issued

        def read() -> CustomerRecord:
            found = self._directory.customers.get(customer.account_id, customer.id)
            if found is None:
                raise NotFound("No such customer")
            return found

        return settle(write, read=read, first=customer)
