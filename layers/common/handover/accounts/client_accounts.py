"""Client businesses as platform operators manage them (api.md, Operator endpoints): opening one
(from a template, perhaps), reading it, changing what operators keep on it, and the roll of all
of them with their counts. Every change is written to the business's history, with the
operator's identity, in the transaction that makes it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from handover.accounts.businesses import Accounts, Person, Template
from handover.accounts.history import history_entry
from handover.accounts.roster import SCOPE, Roster, operator_scope, stale_account, tag_scope
from handover.contract.operators import (
    AccountCounts,
    AccountEnvelope,
    AccountPage,
    AccountPatch,
    AccountView,
    CreateAccountRequest,
)
from handover.customers.revisions import settle
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, Write
from handover.data.history import HistoryStore
from handover.data.principals import StaffRecord
from handover.data.search import normalise
from handover.errors import (
    FiltersNotCombinable,
    NotFound,
    SecureAccount,
    UnknownOperators,
)
from handover.events.outbox import event_actor
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller, require_operator, visible_account


class ClientAccounts:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, accounts: Accounts, roster: Roster,
                 history: HistoryStore, retention_days: int, clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._accounts = accounts
        self._roster = roster
        self._history = history
        self._retention_days = retention_days
        self._clock = clock

    def view(self, account: AccountRecord, owner: StaffRecord | None = None) -> AccountView:
        """The business with its owner (read by key when not given: the owner's id is the business's)."""
        if owner is None and account.owner_id:
            owner = self._directory.staff.get(account.id, account.owner_id)
        return AccountView.of(account, owner, self._clock())

    def create(self, caller: Caller, request: CreateAccountRequest, receipt: Receipt = NO_KEY) -> AccountView:
        require_operator(caller)
        template = self._template(caller, request.template_id) if request.template_id else None

        def also(account: AccountRecord, owner: StaffRecord) -> list[Write]:
            answer = AccountEnvelope(account=AccountView.of(account, owner, self._clock()))
            details = {"name": account.name, "nickname": account.nickname,
                       **({"template_id": request.template_id} if request.template_id else {})}
            return [*receipt.writes(answer.model_dump(mode="json")),
                    self._audit(caller, account.id, "account.created", details)]

        account, owner = self._accounts.open(
            name=request.name, nickname=request.nickname, owner=Person(**request.owner.model_dump()),
            package=request.package, staff_slots=request.staff_slots, template=template,
            actor=event_actor(caller.actor), also=also)
        return AccountView.of(account, owner, self._clock())

    def get(self, caller: Caller, account_id: str) -> AccountView:
        return self.view(visible_account(caller, self._directory, account_id))

    def change(self, caller: Caller, account_id: str, patch: AccountPatch, receipt: Receipt = NO_KEY) -> AccountView:
        changes = patch.changes()
        if "secure" in changes and not caller.claims.secure:
            raise SecureAccount("Only an operator with the Secure role may change whether a business is secure")
        if "operators" in changes:
            changes["operators"] = self._known_operators(changes["operators"])
        if "tags" in changes:
            changes["tags"] = list({normalise(tag): tag for tag in changes["tags"]}.values())
        return settle(lambda account: self._change(caller, account, changes, receipt),
                      read=lambda: visible_account(caller, self._directory, account_id))

    def page(self, caller: Caller, *, status: str | None, tag: str | None, q: str | None, mine: bool, limit: int,
             cursor: str | None) -> AccountPage:
        require_operator(caller)
        if sum(map(bool, (tag, q, mine))) > 1:
            raise FiltersNotCombinable()
        self._roster.settle()  # what the calendar changed, before anything is counted or listed
        scope = tag_scope(tag) if tag else operator_scope(caller.id) if mine else SCOPE
        pairs, next_cursor = self._roster.page(scope=scope, q=q, status=status, limit=limit, cursor=cursor)
        now = self._clock()
        items = [AccountView.of(account, owner, now) for account, owner in pairs]
        items = [item if not item.secure or caller.claims.secure else item.restricted_view() for item in items]
        return AccountPage(counts=AccountCounts(**self._roster.counts()), items=items, next_cursor=next_cursor)

    def _change(self, caller: Caller, account: AccountRecord, changes: dict[str, Any],
                receipt: Receipt) -> AccountView:
        changes = {name: value for name, value in changes.items() if getattr(account, name) != value}
        if not changes:
            return self.view(account)
        changed, writes = self._roster.revision(account, changes, self._clock(),
                                                stale_account(account, changes.get("staff_slots")))
        if "nickname" in changes:
            writes += self._directory.accounts.move_nickname(account.id, account.nickname, changed.nickname)
        view = self.view(changed)
        details = {"changed": sorted(changes), **{name: value for name, value in changes.items() if name != "note"}}
        self._dynamo.transact([*receipt.writes(AccountEnvelope(account=view).model_dump(mode="json")), *writes,
                               self._audit(caller, account.id, "account.updated", details)])
        return view

    def _template(self, caller: Caller, template_id: str) -> Template:
        try:
            account = visible_account(caller, self._directory, template_id)
        except NotFound:
            account = None
        if account is None or not account.is_template:
            raise NotFound("No such template")
        return Template(account=account, fields=self._directory.accounts.fields(account.id))

    def _known_operators(self, operator_ids: list[str]) -> list[str]:
        wanted = list(dict.fromkeys(operator_ids))
        known = {operator.id for operator in self._directory.principals.operators(wanted)}
        if unknown := [operator for operator in wanted if operator not in known]:
            raise UnknownOperators(unknown)
        return wanted

    def _audit(self, caller: Caller, account_id: str, action: str, details: dict[str, Any]) -> Write:
        return self._history.add(history_entry(
            account_id=account_id, actor=caller.actor, action=action, target={"type": "account", "id": account_id},
            details=details, retention_days=self._retention_days, now=self._clock()))
