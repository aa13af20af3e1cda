"""Businesses (accounts) and the nicknames they claim."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from handover.data.dynamo import Dynamo, FailureFactory, Write, check, delete, put, update
from handover.data.keys import LOOKUP_INDEX, account_key, fields_key, nickname_key, staff_key
from handover.data.principals import StaffRecord, fields
from handover.data.wire import Item
from handover.errors import (
    AccountLocked,
    AlreadyRecorded,
    HandoverError,
    LinkInvalid,
    NicknameTaken,
    NotFound,
    StaffLimitReached,
    StorageUnavailable,
)
from handover.ids import is_id
from handover.models import Model

if TYPE_CHECKING:
    from handover.customers.fields import FieldDefinition

PasswordProfile = Literal["classic", "nist"]
AccountStatus = Literal["new", "active", "inactive", "locked"]
SETTINGS = frozenset({"portal_url", "support_email", "logo_url", "brand_color", "walkthrough_video_url",
                      "invite_link_days", "reset_link_minutes", "password_profile", "return_to_origins"})
# Settings change only on a business that exists and is not locked (a lock may land between the
# caller's authentication and the write).
_OPEN = "attribute_exists(pk) AND locked = :false"


class AccountRecord(Model):
    id: str
    name: str
    nickname: str
    owner_id: str | None = None
    locked: bool = False
    locked_reason: str | None = None
    secure: bool = False
    # The business's own settings (GET/PATCH /v1/settings): its portal, the branding of its
    # emails, how long emailed links live, its password policy and where logins may return to.
    password_profile: PasswordProfile = "classic"
    portal_url: str | None = None
    support_email: str | None = None
    logo_url: str | None = None
    brand_color: str | None = None
    walkthrough_video_url: str | None = None
    invite_link_days: int = 7
    reset_link_minutes: int = 60
    return_to_origins: list[str] = Field(default_factory=list)
    # Operators may let a business send links before it is 30 days old (None: not decided).
    send_links: bool | None = None
    # The operators' side: the subscription, how they label and assign it, its onboarding.
    package: str = "basic"
    staff_slots: int = 3
    staff_count: int = 1  # the owner included; kept by the transactions that add and remove staff
    tags: list[str] = Field(default_factory=list)
    note: str | None = None
    is_template: bool = False
    operators: list[str] = Field(default_factory=list)
    in_setup: bool = True
    # What the operators' counts and `?status=` go by (see handover.accounts.standing): the status
    # as last derived, and the newest staff login or booking.
    status: AccountStatus = "new"
    changes_at: int | None = None  # when the calendar alone next changes `status`
    last_active_at: int | None = None
    owner_email: str | None = None  # found by the operators' `?q=`
    # Grows with every change to what the operators' roll shows (status, names, tags,
    # assignments): such writes are made only if it is still the one they were computed from.
    revision: int = 0
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

    def with_owners(self, account_ids: list[str]) -> list[tuple[AccountRecord, StaffRecord | None]]:
        """Businesses and their owners (the owner's id is the business's), in one round trip, in
        the order asked; ids of businesses that do not exist are left out."""
        keys = [key for account_id in account_ids
                for key in (account_key(account_id), staff_key(account_id, account_id))]
        found = {(item["pk"], item["sk"]): item for item in self._dynamo.get_many(self.table, keys)}
        pairs = []
        for account_id in account_ids:
            account = found.get((f"ACCT#{account_id}", "ACCOUNT"))
            owner = found.get((f"ACCT#{account_id}", f"STAFF#{account_id}"))
            if account:
                pairs.append((AccountRecord.model_validate(account),
                              StaffRecord.model_validate(owner) if owner else None))
        return pairs

    def find(self, reference: str) -> AccountRecord | None:
        """`reference` is the business's id or its nickname (case-insensitive)."""
        reference = reference.strip()
        if is_id(reference):
            return self.get(reference)
        return self.by_nickname(reference.lower())

    def by_nickname(self, nickname: str) -> AccountRecord | None:
        items, _ = self._dynamo.query(self.table, "lookup = :lookup", {":lookup": f"NICK#{nickname}"},
                                      index=LOOKUP_INDEX, limit=1)
        return AccountRecord.model_validate(items[0]) if items else None

    def fields(self, account_id: str) -> list[FieldDefinition]:
        return field_definitions(self._dynamo.get(self.table, fields_key(account_id)))

    # -- writes, as transaction operations -----------------------------------------------------

    def add(self, account: AccountRecord) -> list[Write]:
        return [
            put(self.table, {**account_key(account.id), "lookup": f"NICK#{account.nickname}", **fields(account)},
                "attribute_not_exists(pk)"),
            put(self.table, {**nickname_key(account.nickname), "account_id": account.id},
                "attribute_not_exists(pk)", on_condition_failure=lambda _old: NicknameTaken()),
        ]

    def revise(self, account: AccountRecord, changes: Mapping[str, Any], on_stale: FailureFactory) -> Write:
        """Set the attributes named (None removes one), provided the business is still at the
        revision and token version it was read at (and has no more staff than new `staff_slots`);
        the revision grows."""
        if "nickname" in changes:
            changes = {**changes, "lookup": f"NICK#{changes['nickname']}"}
        names = {f"#a{number}": name for number, name in enumerate(changes)}
        numbered = list(enumerate(changes.values()))
        values = {":revision": account.revision, ":version": account.token_version, ":one": 1,
                  **{f":a{number}": value for number, value in numbered if value is not None}}
        sets = ", ".join(f"#a{number} = :a{number}" for number, value in numbered if value is not None)
        removes = ", ".join(f"#a{number}" for number, value in numbered if value is None)
        expression = " ".join(part for part in (sets and f"SET {sets}", "ADD revision :one",
                                                removes and f"REMOVE {removes}") if part)
        condition = "attribute_exists(pk) AND revision = :revision AND token_version = :version"
        if "staff_slots" in changes:  # never fewer slots than staff, however many were added meanwhile
            condition += " AND staff_count <= :slots"
            values[":slots"] = changes["staff_slots"]
        return update(self.table, account_key(account.id), expression, condition, names=names, values=values,
                      on_condition_failure=on_stale)

    def move_nickname(self, account_id: str, old: str, new: str) -> list[Write]:
        """Free the old nickname and claim the new one (409 `nickname_taken` if someone has it)."""
        return [delete(self.table, nickname_key(old), "account_id = :me", values={":me": account_id}),
                put(self.table, {**nickname_key(new), "account_id": account_id}, "attribute_not_exists(pk)",
                    on_condition_failure=lambda _old: NicknameTaken())]

    def change_settings(self, account_id: str, changes: Mapping[str, Any]) -> Write:
        """Set the settings named (None removes one, back to its default)."""
        if not changes or not SETTINGS.issuperset(changes):
            raise ValueError(f"not settings: {sorted(set(changes) - SETTINGS) or 'none at all'}")
        names = {f"#s{number}": name for number, name in enumerate(changes)}
        numbered = list(enumerate(changes.values()))
        values = {":false": False, **{f":s{number}": value for number, value in numbered if value is not None}}
        sets = ", ".join(f"#s{number} = :s{number}" for number, value in numbered if value is not None)
        removes = ", ".join(f"#s{number}" for number, value in numbered if value is None)
        expression = " ".join(part for part in (sets and f"SET {sets}", removes and f"REMOVE {removes}") if part)
        return update(self.table, account_key(account_id), expression, _OPEN, names=names, values=values,
                      on_condition_failure=_closed)

    def open_for_changes(self, account_id: str) -> Write:
        """A transaction condition: the business exists and is not locked."""
        return check(self.table, account_key(account_id), _OPEN, values={":false": False},
                     on_condition_failure=_closed)

    def put_fields(self, account_id: str, definitions: list[FieldDefinition], now: int) -> Write:
        """Replace the custom field definitions (the customers' stored values are left as they are)."""
        return put(self.table, {**fields_key(account_id), "account_id": account_id, "updated_at": now,
                                "fields": [definition.model_dump(exclude_none=True) for definition in definitions]})

    def take_staff_slot(self, account_id: str) -> Write:
        """A transaction condition and count: one more staff member, if a slot is free (so two
        parallel adds cannot both take the last one) and the business is open."""
        return update(self.table, account_key(account_id), "ADD staff_count :one",
                      f"{_OPEN} AND staff_count < staff_slots", values={":one": 1, ":false": False},
                      on_condition_failure=_no_slot)

    def free_staff_slot(self, account_id: str) -> Write:
        return update(self.table, account_key(account_id), "ADD staff_count :minus_one", "attribute_exists(pk)",
                      values={":minus_one": -1}, on_condition_failure=_closed)

    def end_setup(self, account_id: str) -> Write:
        """The business is set up: `in_setup` false, once (a second time fails as `AlreadyRecorded`).
        A locked business may be marked too: setting up is the operators' bookkeeping."""
        return update(self.table, account_key(account_id), "SET in_setup = :false",
                      "attribute_exists(pk) AND (attribute_not_exists(in_setup) OR in_setup = :true)",
                      values={":false": False, ":true": True}, on_condition_failure=_set_up)

    def unchanged(self, account_id: str, token_version: int) -> Write:
        """A transaction condition: the business is unlocked and its token version still this one."""
        return check(self.table, account_key(account_id), "token_version = :version AND locked = :false",
                     values={":version": token_version, ":false": False}, on_condition_failure=_account_changed)


def field_definitions(item: Item | None) -> list[FieldDefinition]:
    """The definitions held by the item at `fields_key` (none when there is no such item)."""
    from handover.customers.fields import FieldDefinition  # where custom fields are used, not in every cold start

    return [FieldDefinition.model_validate(definition) for definition in (item or {}).get("fields", [])]


def _closed(old: Item | None) -> HandoverError:
    if old is None:
        return NotFound("No such business")
    if old.get("locked"):
        return AccountLocked()
    return StorageUnavailable("The business changed meanwhile; please retry")


def _set_up(old: Item | None) -> HandoverError:
    return NotFound("No such business") if old is None else AlreadyRecorded("The setup was completed already")


def _no_slot(old: Item | None) -> HandoverError:
    if old is not None and not old.get("locked") and old.get("staff_count", 1) >= old.get("staff_slots", 3):
        return StaffLimitReached()
    return _closed(old)


def _account_changed(old: Item | None) -> HandoverError:
    return AccountLocked() if old is not None and old.get("locked") else LinkInvalid()
