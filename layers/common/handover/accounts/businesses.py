"""Client businesses (accounts) and the people who run them: opening one with its owner, adding
staff, and finding one by nickname or id."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from handover.accounts.roster import Roster, standing
from handover.contract.events import AccountData, AccountSummary, EventActor
from handover.data.accounts import SETTINGS, AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, Write
from handover.data.principals import StaffRecord
from handover.data.staff import PERMISSIONS
from handover.events.outbox import Outbox
from handover.ids import new_id
from handover.mail.addresses import normalise_email

if TYPE_CHECKING:
    from handover.customers.fields import FieldDefinition

# Who opens a business when no person does (the seed data, an admin command).
SYSTEM = EventActor(realm="system", id="handover")
OWNER_PERMISSIONS: list[str] = list(PERMISSIONS)
NICKNAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


@dataclass(frozen=True)
class Template:
    """A business marked as a template, and its custom field definitions: what a new business copies
    from it (never its people or data)."""

    account: AccountRecord
    fields: list[FieldDefinition]

    def copied(self) -> dict[str, Any]:
        return {"tags": list(self.account.tags), "package": self.account.package,
                "staff_slots": self.account.staff_slots, **{name: getattr(self.account, name) for name in SETTINGS}}


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str


class Accounts:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, outbox: Outbox, roster: Roster,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._roster = roster
        self._outbox = outbox
        self._directory = directory
        self._clock = clock

    def open(self, *, name: str, nickname: str, owner: Person, secure: bool = False, package: str | None = None,
             staff_slots: int | None = None, owner_password_hash: str | None = None, actor: EventActor = SYSTEM,
             template: Template | None = None,
             also: Callable[[AccountRecord, StaffRecord], Sequence[Write]] | None = None,
             ) -> tuple[AccountRecord, StaffRecord]:
        """A business and its owner, in one transaction (the nickname is unique), with what `also`
        adds for them. From a `template` it takes the tags, the settings and the custom field
        definitions (and, unless they are given, its package and staff slots)."""
        nickname = nickname.strip().lower()
        if not NICKNAME.match(nickname):
            raise ValueError("a nickname is 1 to 40 lower-case letters, digits and inner hyphens")
        # The owner's id is the business's id (under its own STAFF# key), so whoever knows the
        # business can read it and its owner in one round trip.
        now = self._clock()
        account_id = new_id(now)
        owner_id = account_id
        copied = template.copied() if template else {}
        copied |= {name: value for name, value in (("package", package), ("staff_slots", staff_slots)) if value}
        account = standing(AccountRecord(id=account_id, name=name, nickname=nickname, owner_id=owner_id,
                                         owner_email=normalise_email(owner.email), secure=secure,
                                         created_at=int(now), **copied), now)
        owner_record = self.member(account, owner, "owner", OWNER_PERMISSIONS, owner_password_hash, owner_id)
        fields = ([self._directory.accounts.put_fields(account.id, template.fields, int(now))]
                  if template and template.fields else [])
        self._dynamo.transact([*(also(account, owner_record) if also else []), *self._directory.accounts.add(account),
                               *self._directory.principals.add(owner_record), *fields, *self._roster.opening(account),
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
