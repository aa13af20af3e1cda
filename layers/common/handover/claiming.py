"""Claiming an account through an invite link.

The token is signed before anything is written, so a KMS failure consumes nothing. Then one
transaction consumes the link (exists, unused, unexpired), sets the password, marks the email
verified and the customer active, bumps the token and link versions (the versions the link was
issued under must still hold, and the customer must not be locked) and appends history.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from handover import password_policy
from handover.contract import LinkInfo, iso
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, Item
from handover.data.history import Actor, HistoryStore
from handover.emails import email_hint
from handover.errors import CustomerLocked, HandoverError, LinkInvalid
from handover.history import history_entry
from handover.links import Links
from handover.passwords import Passwords
from handover.sessions import IssuedToken, Sessions


class Claiming:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, links: Links, history: HistoryStore,
                 passwords: Passwords, sessions: Sessions, retention_days: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._links = links
        self._history = history
        self._passwords = passwords
        self._sessions = sessions
        self._retention_days = retention_days
        self._clock = clock

    def describe_link(self, token: str) -> LinkInfo:
        """What the portal shows before asking for a password; a revoked link is as dead as a used one."""
        link = self._links.valid(token)
        customer = self._directory.customer(link.account_id, link.subject_id)
        if (customer is None or customer.link_version != link.link_version
                or customer.token_version != link.token_version):
            raise LinkInvalid()
        if customer.status == "locked":
            raise CustomerLocked()
        return LinkInfo(kind=link.kind, account_name=link.account_name, email_hint=email_hint(link.email),
                        expires_at=iso(link.expires_at))

    def claim_account(self, token: str, password: str) -> IssuedToken:
        link = self._links.valid(token, kind="invite")
        password_policy.enforce(password, profile=link.password_profile, email=link.email)
        password_hash = self._passwords.hash(password)
        issued = self._sessions.issue(realm="customer", sub=link.subject_id, acct=link.account_id,
                                      role="customer", perms=[], ver=link.token_version + 1)
        now = self._clock()
        customer = Actor(realm="customer", id=link.subject_id, email=link.email)
        self._dynamo.transact([
            self._links.store.consume(link.token_hash, int(now), on_failure=lambda _old: LinkInvalid()),
            self._directory.claim_customer(link.account_id, link.subject_id, link_version=link.link_version,
                                           token_version=link.token_version, password_hash=password_hash,
                                           now=int(now), on_stale=_stale_link),
            self._history.add(history_entry(account_id=link.account_id, actor=customer, action="customer.claimed",
                                            target={"type": "customer", "id": link.subject_id},
                                            retention_days=self._retention_days, now=now)),
        ])
        return issued


def _stale_link(old: Item | None) -> HandoverError:
    if old is not None and old.get("status") == "locked":
        return CustomerLocked()
    return LinkInvalid()
