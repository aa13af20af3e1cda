"""Bodies of the operator routes: businesses, login-as, history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from handover.contract.common import Body, Reason, iso
from handover.data.accounts import AccountRecord
from handover.data.history import HistoryRecord


class LoginAsRequest(Body):
    staff_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    reason: Reason | None = None


class AccountView(BaseModel):
    id: str
    name: str
    nickname: str
    locked: bool
    locked_reason: str | None = None
    secure: bool
    created_at: str

    @classmethod
    def of(cls, record: AccountRecord) -> AccountView:
        return cls(id=record.id, name=record.name, nickname=record.nickname, locked=record.locked,
                   locked_reason=record.locked_reason, secure=record.secure, created_at=iso(record.created_at))


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
