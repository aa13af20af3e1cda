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

`lookup` feeds the `by_lookup` index, so a login or a nickname is one Query.
"""

from __future__ import annotations

import contextlib
from typing import Any, Literal

from pydantic import BaseModel, Field

from handover.data.dynamo import Dynamo, FailureFactory, Item, Write, delete, put, update
from handover.errors import EmailTaken, NicknameTaken, StorageUnavailable

Realm = Literal["operator", "staff", "customer"]
CustomerStatus = Literal["unclaimed", "invited", "active", "locked"]
PasswordProfile = Literal["classic", "nist"]

LOOKUP_INDEX = "by_lookup"


class AccountRecord(BaseModel):
    id: str
    name: str
    nickname: str
    locked: bool = False
    secure: bool = False
    password_profile: PasswordProfile = "classic"
    portal_url: str | None = None
    created_at: int


class PrincipalRecord(BaseModel):
    """Whoever can sign in: the password, the verification and the token version."""

    id: str
    email: str
    password_hash: str | None = None
    email_verified: bool = False
    token_version: int = 1


class OperatorRecord(PrincipalRecord):
    name: str
    secure: bool = False


class StaffRecord(PrincipalRecord):
    account_id: str
    first_name: str
    last_name: str
    role: Literal["owner", "staff"]
    perms: list[str]


class CustomerRecord(PrincipalRecord):
    account_id: str
    first_name: str
    last_name: str
    phone: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    status: CustomerStatus = "unclaimed"
    # Only a link whose version equals this one works; issuing or consuming a link bumps it.
    link_version: int = 0
    email_undeliverable: bool = False
    created_at: int
    updated_at: int


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


def principal_key(principal: PrincipalRecord) -> Item:
    if isinstance(principal, OperatorRecord):
        return operator_key(principal.id)
    if isinstance(principal, StaffRecord):
        return staff_key(principal.account_id, principal.id)
    if isinstance(principal, CustomerRecord):
        return customer_key(principal.account_id, principal.id)
    raise TypeError(f"not a principal: {type(principal).__name__}")


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

    def principal_by_email(self, realm: Realm, account_id: str | None, email: str) -> PrincipalRecord | None:
        items, _ = self._dynamo.query(self.table, "lookup = :lookup",
                                      {":lookup": login_lookup(realm, account_id, email)},
                                      index=LOOKUP_INDEX, limit=1)
        return _RECORDS[realm].model_validate(items[0]) if items else None

    def customer(self, account_id: str, customer_id: str) -> CustomerRecord | None:
        item = self._dynamo.get(self.table, customer_key(account_id, customer_id))
        return CustomerRecord.model_validate(item) if item else None

    def operator(self, operator_id: str) -> OperatorRecord | None:
        item = self._dynamo.get(self.table, operator_key(operator_id))
        return OperatorRecord.model_validate(item) if item else None

    def staff_with_account(self, account_id: str, staff_id: str) -> tuple[StaffRecord | None, AccountRecord | None]:
        """The staff member and their business in one round trip (both decide a staff token)."""
        staff, account = None, None
        for item in self._dynamo.get_many(self.table, [staff_key(account_id, staff_id), account_key(account_id)]):
            if item["sk"] == "ACCOUNT":
                account = AccountRecord.model_validate(item)
            else:
                staff = StaffRecord.model_validate(item)
        return staff, account

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

    def issue_customer_link(self, customer: CustomerRecord, now: int, on_stale: FailureFactory,
                            new_email: str | None = None) -> Write:
        """Bump the link version (revoking every earlier link) and mark the customer invited,
        provided nobody changed the versions since `customer` was read. A corrected email is
        set in the same write (pair it with `move_email_claim`)."""
        expression = "SET link_version = :next, #status = :invited, updated_at = :now"
        values = {":next": customer.link_version + 1, ":seen": customer.link_version,
                  ":token": customer.token_version, ":invited": "invited", ":unclaimed": "unclaimed", ":now": now}
        if new_email:
            expression += ", email = :email, lookup = :lookup, email_verified = :false, email_undeliverable = :false"
            values |= {":email": new_email, ":false": False,
                       ":lookup": login_lookup("customer", customer.account_id, new_email)}
        return update(
            self.table, customer_key(customer.account_id, customer.id), expression,
            "link_version = :seen AND token_version = :token AND #status IN (:unclaimed, :invited)",
            names={"#status": "status"}, values=values, on_condition_failure=on_stale,
        )

    def move_email_claim(self, customer: CustomerRecord, new_email: str) -> list[Write]:
        """Release the customer's old email within the business and claim the new one."""
        return [
            delete(self.table, _email_claim_key("customer", customer.account_id, customer.email),
                   "owner_id = :id", values={":id": customer.id},
                   on_condition_failure=lambda _old: StorageUnavailable("The email changed meanwhile; retry")),
            put(self.table, {**_email_claim_key("customer", customer.account_id, new_email), "owner_id": customer.id},
                "attribute_not_exists(pk)", on_condition_failure=lambda _old: EmailTaken()),
        ]

    def claim_customer(self, account_id: str, customer_id: str, *, link_version: int, token_version: int,
                       password_hash: str, now: int, on_stale: FailureFactory) -> Write:
        """Set the password, verify the email, activate, and retire the link and every token."""
        return update(
            self.table, customer_key(account_id, customer_id),
            "SET password_hash = :hash, email_verified = :true, #status = :active, link_version = :next_link,"
            " token_version = :next_token, updated_at = :now",
            "link_version = :link AND token_version = :token AND #status <> :locked",
            names={"#status": "status"},
            values={":hash": password_hash, ":true": True, ":active": "active", ":locked": "locked",
                    ":link": link_version, ":next_link": link_version + 1,
                    ":token": token_version, ":next_token": token_version + 1, ":now": now},
            on_condition_failure=on_stale,
        )

    def replace_password_hash(self, principal: PrincipalRecord, new_hash: str) -> None:
        """Upgrade a hash made with older parameters, unless the password changed meanwhile."""
        upgrade = update(self.table, principal_key(principal), "SET password_hash = :new", "password_hash = :old",
                         values={":new": new_hash, ":old": principal.password_hash},
                         on_condition_failure=lambda _old: StorageUnavailable())
        with contextlib.suppress(StorageUnavailable):  # the next login tries again
            self._dynamo.write(upgrade)

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
