"""The directory table, one store per item family: businesses, whoever signs in, staff,
customers, bookings, the customers' search index, the businesses' activity, addresses (the claims
on emails). Keys are listed in `handover.data.keys`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from handover.data.accounts import AccountStore, field_definitions
from handover.data.activity import ActivityStore
from handover.data.addresses import AddressStore
from handover.data.bookings import BookingStore, EmailLedger, ledger_key, ledger_of
from handover.data.customers import CustomerStore
from handover.data.dynamo import Dynamo
from handover.data.keys import fields_key
from handover.data.principals import PrincipalStore
from handover.data.roster import RosterStore
from handover.data.search import SearchStore
from handover.data.staff import StaffStore

if TYPE_CHECKING:
    from handover.customers.fields import FieldDefinition


@dataclass(frozen=True)
class Directory:
    dynamo: Dynamo
    table: str
    accounts: AccountStore
    principals: PrincipalStore
    staff: StaffStore
    customers: CustomerStore
    bookings: BookingStore
    search: SearchStore
    roster: RosterStore
    activity: ActivityStore
    addresses: AddressStore

    @classmethod
    def on(cls, dynamo: Dynamo, table: str) -> Directory:
        return cls(dynamo=dynamo, table=table, accounts=AccountStore(dynamo, table),
                   principals=PrincipalStore(dynamo, table), staff=StaffStore(dynamo, table),
                   customers=CustomerStore(dynamo, table), bookings=BookingStore(dynamo, table),
                   search=SearchStore(dynamo, table), roster=RosterStore(dynamo, table),
                   activity=ActivityStore(dynamo, table), addresses=AddressStore(dynamo, table))

    @overload
    def customer_rules(self, account_id: str, email: str) -> tuple[list[FieldDefinition], EmailLedger]: ...

    @overload
    def customer_rules(self, account_id: str, email: None) -> tuple[list[FieldDefinition], None]: ...

    def customer_rules(self, account_id: str,
                       email: str | None) -> tuple[list[FieldDefinition], EmailLedger | None]:
        """What a customer's write is checked against and takes: the business's custom field
        definitions and, for an email being taken, its ledger (who holds it, the bookings nobody
        holds yet); one round trip."""
        keys = [fields_key(account_id)] + ([ledger_key(account_id, email)] if email else [])
        found = {item["sk"]: item for item in self.dynamo.get_many(self.table, keys)}
        ledger = ledger_of(account_id, email, found.get(ledger_key(account_id, email)["sk"])) if email else None
        return field_definitions(found.get(fields_key(account_id)["sk"])), ledger
