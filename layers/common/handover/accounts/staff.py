"""A business's staff, kept by its owner (and read by operators): add a member with a claim link,
change their names and permissions, remove them, send their claim link again; operators send the
owner's.

Joining takes a staff slot in the transaction that writes the member and the claim on their email,
so two adds cannot both take the last slot; leaving frees it in the transaction that deletes them,
and their tokens fail on the next request (the member is gone). The owner can be neither removed
nor given fewer permissions. Claim links follow the customer invite's rules (links/mail.py): a
resend revokes every earlier link. What the owner does under an operator's login-as is written to
the business's history with both identities; what an operator does, with theirs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from handover.accounts.businesses import OWNER_PERMISSIONS, Accounts, Person
from handover.accounts.history import history_entry, impersonated
from handover.contract.common import iso
from handover.contract.invites import InviteOutcome
from handover.contract.staff import AddStaffRequest, StaffCreated, StaffEnvelope, StaffPatch, StaffView, canonical
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, Write
from handover.data.history import HistoryStore
from handover.data.links import LinkRecord
from handover.data.principals import StaffRecord
from handover.data.staff import Permission
from handover.errors import (
    AccountLocked,
    AlreadyClaimed,
    DependencyUnavailable,
    NotFound,
    OwnerRequired,
    PermissionNotGrantable,
)
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller, visible_account
from handover.links.mail import CLAIMED, LinkMailer
from handover.paging import encode_position, position


class StaffMembers:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, accounts: Accounts, link_mailer: LinkMailer,
                 history: HistoryStore, retention_days: int, clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._accounts = accounts
        self._link_mailer = link_mailer
        self._history = history
        self._retention_days = retention_days
        self._clock = clock

    # -- reads -----------------------------------------------------------------------------------

    def page(self, caller: Caller, limit: int, cursor: str | None) -> tuple[list[StaffRecord], str | None]:
        """A page of the caller's business's staff, the owner first, in the order they joined."""
        return self._page(caller.account_id, limit, cursor)

    def page_for_operator(self, caller: Caller, account_id: str, limit: int,
                          cursor: str | None) -> tuple[list[StaffRecord], str | None]:
        """The same, for an operator cleared for the business (reading is not written to history)."""
        return self._page(visible_account(caller, self._directory, account_id).id, limit, cursor)

    def _page(self, account_id: str, limit: int, cursor: str | None) -> tuple[list[StaffRecord], str | None]:
        members, last = self._directory.staff.page(account_id, limit, position(cursor, account_id))
        return members, encode_position(account_id, last)

    def visible(self, caller: Caller, staff_id: str) -> StaffRecord:
        """A member of the caller's own business; anyone else's is a 404 (the key says so)."""
        staff = self._directory.staff.get(caller.account_id, staff_id)
        if staff is None:
            raise NotFound("No such staff member")
        return staff

    # -- the owner's changes -----------------------------------------------------------------------

    def add(self, caller: Caller, request: AddStaffRequest, receipt: Receipt = NO_KEY) -> StaffCreated:
        """The new member, their email's claim, a slot and their claim link, in one transaction;
        then the email. If it cannot be sent, the member stays and the answer says so."""
        account = caller.business
        perms = _granted(request.perms)
        person = Person(request.email, request.first_name, request.last_name)
        staff = self._accounts.member(account, person, "staff", perms)
        letter = self._link_mailer.prepare("invite", account, staff)
        staff = staff.model_copy(update={"link_version": letter.link.link_version})
        created = StaffCreated(staff=StaffView.of(staff),
                               invite=InviteOutcome(sent=True, expires_at=iso(letter.link.expires_at)))
        self._dynamo.transact([*receipt.writes(created.model_dump(mode="json")), *self._accounts.joining(staff),
                               letter.write,
                               *self._audit(caller, "staff.added", staff, email=staff.email, perms=perms)])
        try:
            self._link_mailer.deliver(letter)
        except DependencyUnavailable as error:
            created = created.model_copy(update={"invite": InviteOutcome(sent=False, code=error.code)})
            receipt.amend(created.model_dump(mode="json"))
        return created

    def change(self, caller: Caller, staff_id: str, patch: StaffPatch, receipt: Receipt = NO_KEY) -> StaffEnvelope:
        """The member after the PATCH (one that names nothing, or only what is already so, writes nothing)."""
        staff = self.visible(caller, staff_id)
        changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
        if "perms" in changes:
            perms = patch.perms or []
            changes["perms"] = _granted(perms) if staff.role == "staff" else _kept_by_owner(perms)
        changes = {name: value for name, value in changes.items() if getattr(staff, name) != value}
        changed = StaffEnvelope(staff=StaffView.of(staff.model_copy(update=changes)))
        if changes:
            self._dynamo.transact([*receipt.writes(changed.model_dump(mode="json")),
                                   self._directory.accounts.open_for_changes(staff.account_id),
                                   self._directory.staff.change(staff, changes),
                                   *self._audit(caller, "staff.changed", staff, **changes)])
        return changed

    def remove(self, caller: Caller, staff_id: str, receipt: Receipt = NO_KEY) -> None:
        """The member, the claim on their email and their slot go in one transaction; their
        tokens and links stop working with them."""
        staff = self.visible(caller, staff_id)
        if staff.role == "owner":
            raise OwnerRequired()
        self._dynamo.transact([*receipt.writes({}), *self._directory.staff.remove(staff),
                               self._directory.accounts.free_staff_slot(staff.account_id),
                               *self._audit(caller, "staff.removed", staff, email=staff.email)])

    def invite(self, caller: Caller, staff_id: str, receipt: Receipt = NO_KEY) -> LinkRecord:
        """Email the member a claim link again; every earlier one stops working."""
        staff = self.visible(caller, staff_id)
        return self._send_invite(caller.business, staff, self._audit(caller, "staff.invite_sent", staff), receipt)

    # -- operators ---------------------------------------------------------------------------------

    def invite_owner(self, caller: Caller, account_id: str, receipt: Receipt = NO_KEY) -> LinkRecord:
        """An operator emails the business's owner their claim link (written to its history)."""
        account = visible_account(caller, self._directory, account_id)
        if account.locked:
            raise AccountLocked()
        owner = self._directory.staff.get(account.id, account.owner_id or "")
        if owner is None:
            raise NotFound("The business has no owner")
        entry = history_entry(account_id=account.id, actor=caller.actor, action="owner.invite_sent",
                              target={"type": "staff", "id": owner.id}, retention_days=self._retention_days,
                              now=self._clock())
        return self._send_invite(account, owner, [self._history.add(entry)], receipt)

    def _send_invite(self, account: AccountRecord, staff: StaffRecord, writes: list[Write],
                     receipt: Receipt) -> LinkRecord:
        if staff.password_hash:
            raise AlreadyClaimed(CLAIMED)
        return self._link_mailer.send("invite", account, staff, receipt=receipt,
                                      extra_writes=[self._directory.accounts.open_for_changes(account.id), *writes])

    def _audit(self, caller: Caller, action: str, staff: StaffRecord, **details: object) -> list[Write]:
        return impersonated(self._history, caller, action, {"type": "staff", "id": staff.id}, details=details,
                            retention_days=self._retention_days, now=self._clock())


def _granted(perms: list[Permission]) -> list[str]:
    """What a staff member may be given: anything but the owner's own `staff:manage`."""
    if "staff:manage" in perms:
        raise PermissionNotGrantable("staff:manage")
    return canonical(perms)


def _kept_by_owner(perms: list[Permission]) -> list[str]:
    """The owner holds every permission: a PATCH may name them all, and lose none."""
    if canonical(perms) != OWNER_PERMISSIONS:
        raise OwnerRequired()
    return list(OWNER_PERMISSIONS)
