"""Bodies of the operator routes: businesses, login-as, history, the operators themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from handover.accounts.standing import send_links_allowed, status_of
from handover.contract.common import PRINTABLE, Body, EmailAddress, Name, Reason, iso, printable, whole_number
from handover.data.accounts import AccountRecord, AccountStatus
from handover.data.history import HistoryRecord
from handover.data.principals import StaffRecord, StaffStatus
from handover.models import Model

Nickname = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40,
                                             pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?$")]
Package = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
                    AfterValidator(printable), PRINTABLE]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
                AfterValidator(printable), PRINTABLE]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
StaffSlots = Annotated[int, Field(ge=1, le=1000), BeforeValidator(whole_number)]
OperatorId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
NULLABLE = frozenset({"note", "send_links"})
MAX_TAGS = 10
MAX_OPERATORS = 10


class OwnerRequest(Body):
    email: EmailAddress
    first_name: Name
    last_name: Name


class CreateAccountRequest(Body):
    name: Name
    nickname: Nickname
    owner: OwnerRequest
    package: Package | None = None
    staff_slots: StaffSlots | None = None
    template_id: OperatorId | None = Field(default=None, description="A business marked `is_template`: the new "
                                           "one copies its package, staff slots, tags, settings and custom "
                                           "field definitions, none of its people or data")


class AccountPatch(Body):
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | SkipJsonSchema[None] = None
    note: Note | None = None
    nickname: Nickname | SkipJsonSchema[None] = None
    send_links: StrictBool | None = None
    secure: StrictBool | SkipJsonSchema[None] = None
    is_template: StrictBool | SkipJsonSchema[None] = None
    package: Package | SkipJsonSchema[None] = None
    staff_slots: StaffSlots | SkipJsonSchema[None] = None
    operators: Annotated[list[OperatorId], Field(max_length=MAX_OPERATORS)] | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _nulls_clear_only_what_may_be_unset(self) -> AccountPatch:
        if cleared := sorted(name for name in self.model_fields_set - NULLABLE if getattr(self, name) is None):
            raise ValueError(f"only note and send_links may be null, not {', '.join(cleared)}")
        return self

    def changes(self) -> dict[str, Any]:
        """What the request sets (a `null` note or send_links clears it)."""
        return self.model_dump(exclude_unset=True)


class LoginAsRequest(Body):
    staff_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    reason: Reason | None = None


class OwnerView(Model):
    id: str
    email: str
    first_name: str
    last_name: str
    status: StaffStatus

    @classmethod
    def of(cls, record: StaffRecord) -> OwnerView:
        return cls(id=record.id, email=record.email, first_name=record.first_name, last_name=record.last_name,
                   status=record.status)


class AccountView(Model):
    """A client business as operators see it (../shared/docs/api.md, Operator endpoints)."""

    id: str
    name: str
    nickname: str
    owner: OwnerView | None
    created_at: str
    package: str
    staff_slots: int
    staff_count: int
    tags: list[str]
    note: str | None
    send_links: bool | None
    send_links_allowed: bool
    secure: bool
    is_template: bool
    operators: list[str]
    locked: bool
    locked_reason: str | None = None
    status: AccountStatus
    in_setup: bool
    restricted: bool = Field(default=False, description="A secure business listed to an operator without the "
                             "Secure role: only its id, name, nickname, status and lock are shown")

    @classmethod
    def of(cls, record: AccountRecord, owner: StaffRecord | None, now: float) -> AccountView:
        return cls(id=record.id, name=record.name, nickname=record.nickname,
                   owner=OwnerView.of(owner) if owner else None, created_at=iso(record.created_at),
                   package=record.package, staff_slots=record.staff_slots, staff_count=record.staff_count,
                   tags=record.tags, note=record.note, send_links=record.send_links,
                   send_links_allowed=send_links_allowed(record, now), secure=record.secure,
                   is_template=record.is_template, operators=record.operators, locked=record.locked,
                   locked_reason=record.locked_reason, status=status_of(record, now), in_setup=record.in_setup)


    def restricted_view(self) -> AccountView:
        return self.model_copy(update={"owner": None, "tags": [], "note": None, "operators": [], "restricted": True})


class AccountEnvelope(Model):
    account: AccountView


class AccountCounts(Model):
    active: int
    new: int
    inactive: int
    locked: int


class AccountPage(Model):
    counts: AccountCounts
    items: list[AccountView]
    next_cursor: str | None


class ActorView(Model):
    realm: str
    id: str
    email: str | None = None


class HistoryItem(Model):
    at: str
    actor: ActorView
    on_behalf_of: ActorView | None = None
    action: str
    target: dict[str, str]
    details: dict[str, Any]

    @classmethod
    def of(cls, record: HistoryRecord) -> HistoryItem:
        at = datetime.fromtimestamp(record.at / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return cls(at=at, actor=ActorView(**record.actor.model_dump()), action=record.action, target=record.target,
                   on_behalf_of=ActorView(**record.on_behalf_of.model_dump()) if record.on_behalf_of else None,
                   details=record.details)


class HistoryPage(Model):
    items: list[HistoryItem]
    next_cursor: str | None


class OperatorView(Model):
    """An operator, as others choose them for assignments (GET /v1/operator/operators)."""

    id: str
    email: str
    name: str
    secure: bool


class OperatorPage(Model):
    items: list[OperatorView]
    next_cursor: str | None
