"""Businesses (accounts) and the nicknames they claim."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from handover.data.dynamo import Dynamo, FailureFactory, Item, Write, check, put, update
from handover.data.keys import LOOKUP_INDEX, account_key, nickname_key
from handover.data.principals import fields
from handover.errors import AccountLocked, HandoverError, LinkInvalid, NicknameTaken

PasswordProfile = Literal["classic", "nist"]


class AccountRecord(BaseModel):
    id: str
    name: str
    nickname: str
    owner_id: str | None = None
    locked: bool = False
    locked_reason: str | None = None
    secure: bool = False
    password_profile: PasswordProfile = "classic"
    # The business's own settings (GET/PATCH /v1/settings): its portal, the branding of its
    # emails, and how long emailed links live.
    portal_url: str | None = None
    support_email: str | None = None
    logo_url: str | None = None
    brand_color: str | None = None
    walkthrough_video_url: str | None = None
    invite_link_days: int = 7
    reset_link_minutes: int = 60
    # Staff tokens carry it as `acct_ver`: locking or unlocking the business retires them all.
    token_version: int = 1
    created_at: int


class AccountStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def get(self, account_id: str) -> AccountRecord | None:
        item = self._dynamo.get(self.table, account_key(account_id))
        return AccountRecord.model_validate(item) if item else None

    def by_nickname(self, nickname: str) -> AccountRecord | None:
        items, _ = self._dynamo.query(self.table, "lookup = :lookup", {":lookup": f"NICK#{nickname}"},
                                      index=LOOKUP_INDEX, limit=1)
        return AccountRecord.model_validate(items[0]) if items else None

    # -- writes, as transaction operations -----------------------------------------------------

    def add(self, account: AccountRecord) -> list[Write]:
        return [
            put(self.table, {**account_key(account.id), "lookup": f"NICK#{account.nickname}", **fields(account)},
                "attribute_not_exists(pk)"),
            put(self.table, {**nickname_key(account.nickname), "account_id": account.id},
                "attribute_not_exists(pk)", on_condition_failure=lambda _old: NicknameTaken()),
        ]

    def set_lock(self, account: AccountRecord, locked: bool, reason: str | None, on_stale: FailureFactory) -> Write:
        """Lock or unlock a business; either way every staff token issued before dies."""
        expression = "SET locked = :locked, token_version = :next"
        values: dict[str, Any] = {":locked": locked, ":next": account.token_version + 1,
                                  ":seen": account.token_version}
        if locked:
            expression += ", locked_reason = :reason"
            values[":reason"] = reason or ""
        else:
            expression += " REMOVE locked_reason"
        return update(self.table, account_key(account.id), expression, "token_version = :seen", values=values,
                      on_condition_failure=on_stale)

    def unchanged(self, account_id: str, token_version: int) -> Write:
        """A transaction condition: the business is unlocked and its token version still this one."""
        return check(self.table, account_key(account_id), "token_version = :version AND locked = :false",
                     values={":version": token_version, ":false": False}, on_condition_failure=_account_changed)


def _account_changed(old: Item | None) -> HandoverError:
    return AccountLocked() if old is not None and old.get("locked") else LinkInvalid()
