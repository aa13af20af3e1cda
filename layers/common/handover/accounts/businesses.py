"""Client businesses (accounts) and the people who run them: opening one with its owner, adding
staff, and finding one by nickname or id."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from handover.contract.events import AccountData, AccountSummary, EventActor
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, Write
from handover.data.principals import StaffRecord
from handover.data.staff import PERMISSIONS
from handover.events.outbox import Outbox
from handover.ids import is_id, new_id
from handover.mail.addresses import normalise_email

# Who opens a business when no person does (the seed data, an admin command).
SYSTEM = EventActor(realm="system", id="handover")
OWNER_PERMISSIONS: list[str] = list(PERMISSIONS)
NICKNAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str


def find_account(directory: Directory, reference: str) -> AccountRecord | None:
    """`reference` is the business's id or its nickname (case-insensitive)."""
    reference = reference.strip()
    if is_id(reference):
        return directory.accounts.get(reference)
    return directory.accounts.by_nickname(reference.lower())


class Accounts:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, outbox: Outbox,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._outbox = outbox
        self._directory = directory
        self._clock = clock

    def open(self, *, name: str, nickname: str, owner: Person, secure: bool = False, package: str = "basic",
             staff_slots: int = 3, owner_password_hash: str | None = None,
             actor: EventActor = SYSTEM) -> tuple[AccountRecord, StaffRecord]:
        """A business and its owner, in one transaction (the nickname is unique)."""
        nickname = nickname.strip().lower()
        if not NICKNAME.match(nickname):
            raise ValueError("a nickname is 1 to 40 lower-case letters, digits and inner hyphens")
        # The owner's id is the business's id (under its own STAFF# key), so whoever knows the
        # business can read it and its owner in one round trip.
        account_id = new_id(self._clock())
        owner_id = account_id
        account = AccountRecord(id=account_id, name=name, nickname=nickname, owner_id=owner_id,
                                secure=secure, package=package, staff_slots=staff_slots,
                                created_at=int(self._clock()))
        owner_record = self.member(account, owner, "owner", OWNER_PERMISSIONS, owner_password_hash, owner_id)
        self._dynamo.transact([*self._directory.accounts.add(account), *self._directory.principals.add(owner_record),
                               self._outbox.event("account.created", account_id=account.id, actor=actor,
                                                  data=AccountData(account=AccountSummary.of(account)))])
        return account, owner_record

    def add_staff(self, account: AccountRecord, person: Person, permissions: list[str],
                  password_hash: str | None = None) -> StaffRecord:
        staff = self.member(account, person, "staff", permissions, password_hash)
        self._dynamo.transact(self.joining(staff))
        return staff

    def joining(self, staff: StaffRecord) -> list[Write]:
        """A new staff member joins: their record, the claim on their email (unique in the
        business) and a staff slot (while one is free and the business is open), all or nothing."""
        return [*self._directory.principals.add(staff), self._directory.accounts.take_staff_slot(staff.account_id)]

    def member(self, account: AccountRecord, person: Person, role: Literal["owner", "staff"], permissions: list[str],
               password_hash: str | None = None, staff_id: str | None = None) -> StaffRecord:
        """A staff member's record (not yet written), with a password only when one was chosen for them."""
        now = self._clock()
        return StaffRecord(id=staff_id or new_id(now), account_id=account.id, email=normalise_email(person.email),
                           first_name=person.first_name, last_name=person.last_name, role=role,
                           perms=permissions, password_hash=password_hash, email_verified=password_hash is not None,
                           created_at=int(now))
