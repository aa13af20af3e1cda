"""The directory table: businesses, their staff and customers, operators, bookings.

Keys (every tenant key starts with the business id):

    ACCT#<acct>        ACCOUNT                 a business       lookup NICK#<nickname>
    NICK#<nickname>    NICK                    claims a nickname
    ACCT#<acct>        STAFF#<id>              a staff member   lookup LOGIN#staff#<acct>#<email>
    ACCT#<acct>        CUSTOMER#<id>           a customer       lookup LOGIN#customer#<acct>#<email>
    ACCT#<acct>        EMAIL#<realm>#<email>   claims an email within the business
    ACCT#<acct>        BOOKING#<email>#<id>    a booking, attached by email
    OPERATOR#<id>      OPERATOR                an operator      lookup LOGIN#operator#<email>
    OPERATOR_EMAIL#<email>  EMAIL              claims an operator email
    ATTEMPTS#<lookup>  W#<window>              failed logins in one window, lookup as the principal's

`lookup` feeds the `by_lookup` index, so a login (the principal and its failed attempts, known
email or not) or a nickname is one Query. Items that should vanish carry `expires_ttl`.

Versions: a principal's `token_version` retires every older access token, its `link_version`
every older emailed link; whatever bumps the first bumps the second too, so a link issued
before a lock or a password change never works after it.
"""

from __future__ import annotations

import contextlib
from typing import Any, Literal

from pydantic import BaseModel, Field

from handover.data.dynamo import Dynamo, FailureFactory, Item, Write, check, delete, put, update
from handover.errors import AccountLocked, EmailTaken, HandoverError, LinkInvalid, NicknameTaken, StorageUnavailable

Realm = Literal["operator", "staff", "customer"]
CustomerStatus = Literal["unclaimed", "invited", "active", "locked"]
PasswordProfile = Literal["classic", "nist"]

LOOKUP_INDEX = "by_lookup"


class AccountRecord(BaseModel):
    id: str
    name: str
    nickname: str
    owner_id: str | None = None
    locked: bool = False
    locked_reason: str | None = None
    secure: bool = False
    password_profile: PasswordProfile = "classic"
    portal_url: str | None = None
    # Staff tokens carry it as `acct_ver`: locking or unlocking the business retires them all.
    token_version: int = 1
    created_at: int


class PrincipalRecord(BaseModel):
    """Whoever can sign in: the password, the verification and the versions."""

    id: str
    email: str
    password_hash: str | None = None
    email_verified: bool = False
    token_version: int = 1
    link_version: int = 0

    @property
    def realm(self) -> Realm:
        raise NotImplementedError

    @property
    def account_ref(self) -> str | None:
        return None


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

    @property
    def realm(self) -> Realm:
        return "staff"

    @property
    def account_ref(self) -> str | None:
        return self.account_id


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
    created_at: int
    updated_at: int

    @property
    def realm(self) -> Realm:
        return "customer"

    @property
    def account_ref(self) -> str | None:
        return self.account_id


class LoginAttempts(BaseModel):
    """Failed logins for one (realm, business, email) in one fixed window."""

    window: int
    count: int


class BookingRecord(BaseModel):
    id: str
    account_id: str
    email: str
    reference: str | None = None
    starts_at: str | None = None
    service: str | None = None


def account_key(account_id: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": "ACCOUNT"}


def customer_key(account_id: str, customer_id: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": f"CUSTOMER#{customer_id}"}


def staff_key(account_id: str, staff_id: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": f"STAFF#{staff_id}"}


def operator_key(operator_id: str) -> Item:
    return {"pk": f"OPERATOR#{operator_id}", "sk": "OPERATOR"}


def principal_key(realm: Realm, account_id: str | None, principal_id: str) -> Item:
    if realm == "operator":
        return operator_key(principal_id)
    assert account_id is not None
    return staff_key(account_id, principal_id) if realm == "staff" else customer_key(account_id, principal_id)


def key_of(principal: PrincipalRecord) -> Item:
    return principal_key(principal.realm, principal.account_ref, principal.id)


def attempts_key(realm: Realm, account_id: str | None, email: str, window: int) -> Item:
    return {"pk": f"ATTEMPTS#{login_lookup(realm, account_id, email)}", "sk": f"W#{window}"}


def login_lookup(realm: Realm, account_id: str | None, email: str) -> str:
    return f"LOGIN#{realm}#{email}" if realm == "operator" else f"LOGIN#{realm}#{account_id}#{email}"


def _email_claim_key(realm: Realm, account_id: str | None, email: str) -> Item:
    if realm == "operator":
        return {"pk": f"OPERATOR_EMAIL#{email}", "sk": "EMAIL"}
    return {"pk": f"ACCT#{account_id}", "sk": f"EMAIL#{realm}#{email}"}


def _fields(record: BaseModel) -> Item:
    return record.model_dump(exclude_none=True)


class Directory:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    # -- reads ---------------------------------------------------------------------------------

    def account(self, account_id: str) -> AccountRecord | None:
        item = self._dynamo.get(self.table, account_key(account_id))
        return AccountRecord.model_validate(item) if item else None

    def account_by_nickname(self, nickname: str) -> AccountRecord | None:
        items, _ = self._dynamo.query(self.table, "lookup = :lookup", {":lookup": f"NICK#{nickname}"},
                                      index=LOOKUP_INDEX, limit=1)
        return AccountRecord.model_validate(items[0]) if items else None

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
                principal = _RECORDS[realm].model_validate(item)
        return principal, attempts

    def principal(self, realm: Realm, account_id: str | None, principal_id: str) -> PrincipalRecord | None:
        item = self._dynamo.get(self.table, principal_key(realm, account_id, principal_id))
        return _RECORDS[realm].model_validate(item) if item else None

    def customer(self, account_id: str, customer_id: str) -> CustomerRecord | None:
        item = self._dynamo.get(self.table, customer_key(account_id, customer_id))
        return CustomerRecord.model_validate(item) if item else None

    def staff_member(self, account_id: str, staff_id: str) -> StaffRecord | None:
        item = self._dynamo.get(self.table, staff_key(account_id, staff_id))
        return StaffRecord.model_validate(item) if item else None

    def operator(self, operator_id: str) -> OperatorRecord | None:
        item = self._dynamo.get(self.table, operator_key(operator_id))
        return OperatorRecord.model_validate(item) if item else None

    def staff_with_account(self, account_id: str, staff_id: str | None, operator_id: str | None = None,
                           ) -> tuple[StaffRecord | None, AccountRecord | None, OperatorRecord | None]:
        """The staff member, their business and (under login-as) the operator, in one round trip:
        all of them decide whether a staff token still holds."""
        keys = [account_key(account_id)]
        if staff_id:
            keys.append(staff_key(account_id, staff_id))
        if operator_id:
            keys.append(operator_key(operator_id))
        staff, account, operator = None, None, None
        for item in self._dynamo.get_many(self.table, keys):
            if item["sk"] == "ACCOUNT":
                account = AccountRecord.model_validate(item)
            elif item["sk"] == "OPERATOR":
                operator = OperatorRecord.model_validate(item)
            else:
                staff = StaffRecord.model_validate(item)
        return staff, account, operator

    def booking_count(self, account_id: str, email: str) -> int:
        return self._dynamo.count(self.table, "pk = :pk AND begins_with(sk, :prefix)",
                                  {":pk": f"ACCT#{account_id}", ":prefix": f"BOOKING#{email}#"})

    def bookings(self, account_id: str, email: str, limit: int = 100) -> list[BookingRecord]:
        items, _ = self._dynamo.query(self.table, "pk = :pk AND begins_with(sk, :prefix)",
                                      {":pk": f"ACCT#{account_id}", ":prefix": f"BOOKING#{email}#"}, limit=limit)
        return [BookingRecord.model_validate(item) for item in items]

    # -- writes, as transaction operations -----------------------------------------------------

    def add_account(self, account: AccountRecord) -> list[Write]:
        return [
            put(self.table, {**account_key(account.id), "lookup": f"NICK#{account.nickname}", **_fields(account)},
                "attribute_not_exists(pk)"),
            put(self.table, {"pk": f"NICK#{account.nickname}", "sk": "NICK", "account_id": account.id},
                "attribute_not_exists(pk)", on_condition_failure=lambda _old: NicknameTaken()),
        ]

    def add_operator(self, operator: OperatorRecord) -> list[Write]:
        return self._add_principal("operator", None, operator_key(operator.id), operator)

    def add_staff(self, staff: StaffRecord) -> list[Write]:
        return self._add_principal("staff", staff.account_id, staff_key(staff.account_id, staff.id), staff)

    def add_customer(self, customer: CustomerRecord) -> list[Write]:
        return self._add_principal("customer", customer.account_id,
                                   customer_key(customer.account_id, customer.id), customer)

    def add_booking(self, booking: BookingRecord) -> Write:
        return put(self.table, {"pk": f"ACCT#{booking.account_id}",
                                "sk": f"BOOKING#{booking.email}#{booking.id}", **_fields(booking)})

    def issue_link(self, principal: PrincipalRecord, now: int, on_stale: FailureFactory, *, invite: bool,
                   new_email: str | None = None) -> Write:
        """Bump the link version (revoking every earlier link), provided nobody changed the versions
        since `principal` was read. An invite marks a customer `invited` (and needs them unclaimed);
        a reset needs them unlocked. A corrected email is set in the same write (pair it with
        `move_email_claim`)."""
        sets = ["link_version = :next_link"]
        conditions = ["link_version = :link", "token_version = :token"]
        values: dict[str, Any] = {":next_link": principal.link_version + 1, ":link": principal.link_version,
                                  ":token": principal.token_version}
        names: dict[str, str] = {}
        if isinstance(principal, CustomerRecord):
            names["#status"] = "status"
            sets.append("updated_at = :now")
            values[":now"] = now
            if invite:
                sets.append("#status = :invited")
                conditions.append("#status IN (:unclaimed, :invited)")
                values |= {":invited": "invited", ":unclaimed": "unclaimed"}
            else:
                conditions.append("#status <> :locked")
                values[":locked"] = "locked"
        if new_email:
            sets += ["email = :email", "lookup = :lookup", "email_verified = :false", "email_undeliverable = :false"]
            values |= {":email": new_email, ":false": False,
                       ":lookup": login_lookup(principal.realm, principal.account_ref, new_email)}
        return update(self.table, key_of(principal), "SET " + ", ".join(sets), " AND ".join(conditions),
                      names=names, values=values, on_condition_failure=on_stale)

    def move_email_claim(self, customer: CustomerRecord, new_email: str) -> list[Write]:
        """Release the customer's old email within the business and claim the new one."""
        return [
            delete(self.table, _email_claim_key("customer", customer.account_id, customer.email),
                   "owner_id = :id", values={":id": customer.id},
                   on_condition_failure=lambda _old: StorageUnavailable("The email changed meanwhile; retry")),
            put(self.table, {**_email_claim_key("customer", customer.account_id, new_email), "owner_id": customer.id},
                "attribute_not_exists(pk)", on_condition_failure=lambda _old: EmailTaken()),
        ]

    def set_password_via_link(self, realm: Realm, account_id: str, principal_id: str, *, link_version: int,
                              token_version: int, password_hash: str, now: int, on_stale: FailureFactory) -> Write:
        """Set the password, verify the email (a customer becomes active), and retire every other
        link and every token, provided the link's versions still hold (and a customer is unlocked)."""
        sets = ["password_hash = :hash", "email_verified = :true", "link_version = :next_link",
                "token_version = :next_token"]
        conditions = ["link_version = :link", "token_version = :token"]
        values: dict[str, Any] = {":hash": password_hash, ":true": True, ":link": link_version,
                                  ":next_link": link_version + 1, ":token": token_version,
                                  ":next_token": token_version + 1}
        names: dict[str, str] = {}
        if realm == "customer":
            names["#status"] = "status"
            sets += ["#status = :active", "updated_at = :now"]
            conditions.append("#status <> :locked")
            values |= {":active": "active", ":locked": "locked", ":now": now}
        return update(self.table, principal_key(realm, account_id, principal_id), "SET " + ", ".join(sets),
                      " AND ".join(conditions), names=names, values=values, on_condition_failure=on_stale)

    def set_password(self, customer: CustomerRecord, password_hash: str, now: int, on_stale: FailureFactory) -> Write:
        """Staff set a customer's password: every session and link dies; the email stays as
        verified (or not) as it was."""
        return self._versioned(customer, "password_hash = :hash, updated_at = :now", on_stale,
                               {":hash": password_hash, ":now": now}, unlocked=True)

    def lock_customer(self, customer: CustomerRecord, reason: str | None, now: int, on_stale: FailureFactory) -> Write:
        return self._versioned(customer, "#status = :locked_status, status_before_lock = :before, "
                               "locked_reason = :reason, updated_at = :now", on_stale,
                               {":locked_status": "locked", ":before": customer.status, ":reason": reason or "",
                                ":now": now}, unlocked=True)

    def unlock_customer(self, customer: CustomerRecord, restored: CustomerStatus, now: int,
                        on_stale: FailureFactory) -> Write:
        return self._versioned(customer, "#status = :restored, updated_at = :now REMOVE status_before_lock, "
                               "locked_reason", on_stale, {":restored": restored, ":now": now})

    def set_account_lock(self, account: AccountRecord, locked: bool, reason: str | None,
                         on_stale: FailureFactory) -> Write:
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

    def account_unchanged(self, account_id: str, token_version: int) -> Write:
        """A transaction condition: the business is unlocked and its token version still this one."""
        return check(self.table, account_key(account_id), "token_version = :version AND locked = :false",
                     values={":version": token_version, ":false": False}, on_condition_failure=_account_changed)

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

    def _versioned(self, customer: CustomerRecord, sets: str, on_stale: FailureFactory, values: dict[str, Any],
                   unlocked: bool = False) -> Write:
        """A change that retires every token and link of the customer, made only if nobody changed
        the customer's versions (or locked them, where `unlocked`) since it was read."""
        set_part, _, remove_part = sets.partition(" REMOVE ")
        expression = ("SET token_version = :next_token, link_version = :next_link, " + set_part
                      + (f" REMOVE {remove_part}" if remove_part else ""))
        condition = "token_version = :token AND link_version = :link"
        if unlocked:
            condition += " AND #status <> :locked"
            values = {**values, ":locked": "locked"}
        return update(self.table, key_of(customer), expression, condition, names={"#status": "status"},
                      values={**values, ":token": customer.token_version, ":next_token": customer.token_version + 1,
                              ":link": customer.link_version, ":next_link": customer.link_version + 1},
                      on_condition_failure=on_stale)

    def _add_principal(self, realm: Realm, account_id: str | None, key: Item, record: PrincipalRecord) -> list[Write]:
        return [
            put(self.table, {**key, "lookup": login_lookup(realm, account_id, record.email), **_fields(record)},
                "attribute_not_exists(pk)"),
            put(self.table, {**_email_claim_key(realm, account_id, record.email), "owner_id": record.id},
                "attribute_not_exists(pk)", on_condition_failure=lambda _old: EmailTaken()),
        ]


_RECORDS: dict[str, type[PrincipalRecord]] = {
    "operator": OperatorRecord,
    "staff": StaffRecord,
    "customer": CustomerRecord,
}


def _account_changed(old: Item | None) -> HandoverError:
    return AccountLocked() if old is not None and old.get("locked") else LinkInvalid()
