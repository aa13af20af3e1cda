"""Bodies of the operator routes: businesses, login-as, history, the operators themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from handover.accounts.standing import send_links_allowed, status_of
from handover.contract.common import Body, Reason, iso
from handover.data.accounts import AccountRecord, AccountStatus
from handover.data.history import HistoryRecord
from handover.data.principals import StaffRecord, StaffStatus


class LoginAsRequest(Body):
    staff_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    reason: Reason | None = None


class OwnerView(BaseModel):
    id: str
    email: str
    first_name: str
    last_name: str
    status: StaffStatus

    @classmethod
    def of(cls, record: StaffRecord) -> OwnerView:
        return cls(id=record.id, email=record.email, first_name=record.first_name, last_name=record.last_name,
                   status=record.status)


class AccountView(BaseModel):
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

    @classmethod
    def of(cls, record: AccountRecord, owner: StaffRecord | None, now: float) -> AccountView:
        return cls(id=record.id, name=record.name, nickname=record.nickname,
                   owner=OwnerView.of(owner) if owner else None, created_at=iso(record.created_at),
                   package=record.package, staff_slots=record.staff_slots, staff_count=record.staff_count,
                   tags=record.tags, note=record.note, send_links=record.send_links,
                   send_links_allowed=send_links_allowed(record, now), secure=record.secure,
                   is_template=record.is_template, operators=record.operators, locked=record.locked,
                   locked_reason=record.locked_reason, status=status_of(record, now), in_setup=record.in_setup)


class AccountEnvelope(BaseModel):
    account: AccountView


class ActorView(BaseModel):
    realm: str
    id: str
    email: str | None = None


class HistoryItem(BaseModel):
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


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    next_cursor: str | None


class OperatorView(BaseModel):
    """An operator, as others choose them for assignments (GET /v1/operator/operators)."""

    id: str
    email: str
    name: str
    secure: bool


class OperatorPage(BaseModel):
    items: list[OperatorView]
    next_cursor: str | None
