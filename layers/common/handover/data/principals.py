"""Whoever can sign in (operators, staff, customers): their records, and what every realm shares:
finding one for a login, counting failed logins, and the versioned writes behind links and
passwords.

Versions: a principal's `token_version` retires every older access token, its `link_version`
every older emailed link; whatever bumps the first bumps the second too, so a link issued
before a lock or a password change never works after it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from handover.data.addresses import email_claim
from handover.data.dynamo import Dynamo, FailureFactory, Write, delete, put, update
from handover.data.keys import (
    LOOKUP_INDEX,
    Realm,
    attempts_key,
    login_lookup,
    principal_key,
)
from handover.data.links import Delivery, LinkKind, LinkRecord
from handover.data.wire import Item
from handover.errors import EmailTaken, StorageUnavailable
from handover.models import Model

CustomerStatus = Literal["unclaimed", "invited", "active", "locked"]
StaffStatus = Literal["unclaimed", "invited", "active"]
_HOLDERS: dict[Realm, str] = {"operator": "An operator", "staff": "A staff member", "customer": "A customer"}


class PrincipalRecord(Model):
    """Whoever can sign in: the password, the verification and the versions."""

    id: str
    email: str
    password_hash: str | None = None
    email_verified: bool = False
    # Set when email to the address bounced permanently or drew a complaint; cleared by a new email.
    email_undeliverable: bool = False
    token_version: int = 1
    link_version: int = 0
    # Sessions ended one by one, to when their last access token expires (see data/sessions.py).
    ended_sessions: dict[str, int] | None = None

    @property
    def realm(self) -> Realm:
        raise NotImplementedError

    @property
    def account_ref(self) -> str | None:
        return None


class LastLink(Model):
    """The newest link emailed to a customer, and what SES said of the email (`delivery`)."""

    token_hash: str
    kind: LinkKind
    sent_at: int
    expires_at: int
    delivery: Delivery = "sent"

    @classmethod
    def of(cls, link: LinkRecord) -> LastLink:
        return cls(token_hash=link.token_hash, kind=link.kind, sent_at=link.created_at, expires_at=link.expires_at)


class OperatorRecord(PrincipalRecord):
    name: str
    secure: bool = False

    @property
    def realm(self) -> Realm:
        return "operator"


class StaffRecord(PrincipalRecord):
    account_id: str
    first_name: str
    last_name: str
    role: Literal["owner", "staff"]
    perms: list[str]
    created_at: int | None = None  # None for members added before it was recorded

    @property
    def realm(self) -> Realm:
        return "staff"

    @property
    def status(self) -> StaffStatus:
        """`active` once they set a password through a link (or were given one), `invited` while a
        link they were sent may be outstanding, else `unclaimed`."""
        if self.password_hash and self.email_verified:
            return "active"
        return "invited" if self.link_version > 0 else "unclaimed"

    @property
    def account_ref(self) -> str | None:
        return self.account_id


class AttachedBookings(Model):
    """Bookings made with an email while nobody held it, attached as a whole to the customer who
    took the email: the shelf they are filed on and how many (see data/bookings.py)."""

    pk: str
    count: int


class CustomerRecord(PrincipalRecord):
    account_id: str
    first_name: str
    last_name: str
    phone: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    status: CustomerStatus = "unclaimed"
    status_before_lock: CustomerStatus | None = None
    locked_reason: str | None = None
    email_undeliverable: bool = False
    # Written with the link, in the transaction that issues it (so it costs no round trip).
    last_link: LastLink | None = None
    # The customer's bookings, counted as they come or are attached (see data/bookings.py);
    # bookings add to it without a new revision.
    booking_count: int = 0
    attached_bookings: list[AttachedBookings] = Field(default_factory=list)
    # Grows with every change to the customer: writes that move its directory index items
    # (data/search.py) are made only if it is still the one they were computed from.
    revision: int = 0
    created_at: int
    updated_at: int

    @property
    def realm(self) -> Realm:
        return "customer"

    @property
    def account_ref(self) -> str | None:
        return self.account_id


class LoginAttempts(Model):
    """Failed logins for one (realm, business, email) in one fixed window."""

    window: int
    count: int


RECORDS: dict[str, type[PrincipalRecord]] = {
    "operator": OperatorRecord,
    "staff": StaffRecord,
    "customer": CustomerRecord,
}


def key_of(principal: PrincipalRecord) -> Item:
    return principal_key(principal.realm, principal.account_ref, principal.id)


def fields(record: BaseModel) -> Item:
    return record.model_dump(exclude_none=True)


class PrincipalStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def get(self, realm: Realm, account_id: str | None, principal_id: str) -> PrincipalRecord | None:
        item = self._dynamo.get(self.table, principal_key(realm, account_id, principal_id))
        return RECORDS[realm].model_validate(item) if item else None

    def operator(self, operator_id: str) -> OperatorRecord | None:
        found = self.get("operator", None, operator_id)
        return found if isinstance(found, OperatorRecord) else None

    def operators(self, operator_ids: list[str]) -> list[OperatorRecord]:
        """Those of the operators named that exist, in one round trip."""
        items = self._dynamo.get_many(self.table, [principal_key("operator", None, found) for found in operator_ids])
        return [OperatorRecord.model_validate(item) for item in items]

    def login_candidates(self, realm: Realm, account_id: str | None,
                         email: str) -> tuple[PrincipalRecord | None, list[LoginAttempts]]:
        """The principal with this email (if any) and its recent failed-login windows, in one Query."""
        items, _ = self._dynamo.query(self.table, "lookup = :lookup",
                                      {":lookup": login_lookup(realm, account_id, email)}, index=LOOKUP_INDEX)
        principal, attempts = None, []
        for item in items:
            if item["pk"].startswith("ATTEMPTS#"):
                attempts.append(LoginAttempts(window=int(item["sk"][2:]), count=item.get("count", 0)))
            else:
                principal = RECORDS[realm].model_validate(item)
        return principal, attempts

    def failed_logins(self, realm: Realm, account_id: str | None, email: str, window: int) -> int:
        """Failed logins for this email in one window (read by key, so never behind)."""
        item = self._dynamo.get(self.table, attempts_key(realm, account_id, email, window))
        return int(item.get("count", 0)) if item else 0

    # -- writes, as transaction operations -----------------------------------------------------

    def add(self, record: PrincipalRecord) -> list[Write]:
        """The principal and the claim on its email (unique per realm and business)."""
        realm, account_id = record.realm, record.account_ref
        return [
            put(self.table, {**key_of(record), "lookup": login_lookup(realm, account_id, record.email),
                             **fields(record)}, "attribute_not_exists(pk)"),
            put(self.table, email_claim(realm, account_id, record.email, record.id), "attribute_not_exists(pk)",
                on_condition_failure=lambda _old: EmailTaken(f"{_HOLDERS[realm]} with this email already exists")),
        ]

    def issue_link(self, principal: PrincipalRecord, now: int, on_stale: FailureFactory, *, invite: bool,
                   new_email: str | None = None, taken: Sequence[AttachedBookings] = (),
                   last_link: LastLink | None = None) -> Write:
        """Bump the link version (revoking every earlier link), provided nobody changed the versions
        since `principal` was read and the address is not known to be undeliverable. An invite
        marks a customer `invited` (and needs them unclaimed), and needs staff without a password;
        a reset needs a customer unlocked. A corrected email is set in the same write (pair it with
        `CustomerStore.move_email_claim`), with the bookings made with it that nobody held (`taken`,
        see `BookingStore.move`); so is a customer's `last_link`."""
        sets = ["link_version = :next_link"]
        conditions = ["link_version = :link", "token_version = :token"]
        values: dict[str, Any] = {":next_link": principal.link_version + 1, ":link": principal.link_version,
                                  ":token": principal.token_version, ":false": False}
        names: dict[str, str] = {}
        adds = ""
        if isinstance(principal, CustomerRecord):
            names["#status"] = "status"
            sets.append("updated_at = :now")
            conditions.append("revision = :revision")
            values |= {":now": now, ":revision": principal.revision, ":one": 1}
            adds = " ADD revision :one"
            if invite:
                sets.append("#status = :invited")
                conditions.append("#status IN (:unclaimed, :invited)")
                values |= {":invited": "invited", ":unclaimed": "unclaimed"}
            else:
                conditions.append("#status <> :locked")
                values[":locked"] = "locked"
        elif invite:
            conditions.append("attribute_not_exists(password_hash)")
        if last_link is not None:
            sets.append("last_link = :last_link")
            values[":last_link"] = last_link.model_dump()
        if new_email:
            sets += ["email = :email", "lookup = :lookup", "email_verified = :false", "email_undeliverable = :false"]
            values |= {":email": new_email,
                       ":lookup": login_lookup(principal.realm, principal.account_ref, new_email)}
        else:
            # A bounce that lands between the caller's read and this write still stops the email.
            conditions.append("(attribute_not_exists(email_undeliverable) OR email_undeliverable = :false)")
        if taken and isinstance(principal, CustomerRecord):
            sets.append("attached_bookings = list_append(if_not_exists(attached_bookings, :none), :taken)")
            adds += ", booking_count :taken_count"
            values |= {":none": [], ":taken": list(taken), ":taken_count": sum(batch.count for batch in taken)}
        return update(self.table, key_of(principal), "SET " + ", ".join(sets) + adds, " AND ".join(conditions),
                      names=names, values=values, on_condition_failure=on_stale)

    def set_password_via_link(self, realm: Realm, account_id: str, principal_id: str, *, link_version: int,
                              token_version: int, password_hash: str, now: int, on_stale: FailureFactory,
                              revision: int | None = None) -> Write:
        """Set the password, verify the email (a customer becomes active), and retire every other
        link and every token, provided the link's versions still hold (and a customer is unlocked,
        and still at `revision` when given)."""
        sets = ["password_hash = :hash", "email_verified = :true", "link_version = :next_link",
                "token_version = :next_token"]
        conditions = ["link_version = :link", "token_version = :token"]
        values: dict[str, Any] = {":hash": password_hash, ":true": True, ":link": link_version,
                                  ":next_link": link_version + 1, ":token": token_version,
                                  ":next_token": token_version + 1}
        names: dict[str, str] = {}
        adds = ""
        if realm == "customer":
            names["#status"] = "status"
            sets += ["#status = :active", "updated_at = :now"]
            conditions.append("#status <> :locked")
            values |= {":active": "active", ":locked": "locked", ":now": now, ":one": 1}
            adds = " ADD revision :one"
            if revision is not None:
                conditions.append("revision = :revision")
                values[":revision"] = revision
        return update(self.table, principal_key(realm, account_id, principal_id), "SET " + ", ".join(sets) + adds,
                      " AND ".join(conditions), names=names, values=values, on_condition_failure=on_stale)

    def record_login_failure(self, realm: Realm, account_id: str | None, email: str, window: int,
                             expires_at: int) -> int:
        """Count a failed login in its window; the number of failures in that window so far."""
        count = self._dynamo.increment(self.table, attempts_key(realm, account_id, email, window), "count",
                                       {"lookup": login_lookup(realm, account_id, email), "expires_ttl": expires_at})
        return count or 0

    def clear_login_failures(self, realm: Realm, account_id: str | None, email: str, window: int) -> Write:
        return delete(self.table, attempts_key(realm, account_id, email, window))

    def replace_password_hash(self, principal: PrincipalRecord, new_hash: str) -> None:
        """Upgrade a hash made with older parameters, unless the password changed meanwhile."""
        upgrade = update(self.table, key_of(principal), "SET password_hash = :new", "password_hash = :old",
                         values={":new": new_hash, ":old": principal.password_hash},
                         on_condition_failure=lambda _old: StorageUnavailable())
        with contextlib.suppress(StorageUnavailable):  # the next login tries again
            self._dynamo.write(upgrade)
