"""The directory table, one store per item family: businesses, whoever signs in, staff,
customers, bookings, the customers' search index, addresses (the claims on emails). Keys are
listed in `handover.data.keys`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handover.data.accounts import AccountStore, field_definitions
from handover.data.addresses import AddressStore
from handover.data.bookings import BookingStore, counter_key
from handover.data.customers import CustomerStore
from handover.data.dynamo import Dynamo
from handover.data.keys import fields_key
from handover.data.principals import PrincipalStore
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
    addresses: AddressStore

    @classmethod
    def on(cls, dynamo: Dynamo, table: str) -> Directory:
        return cls(dynamo=dynamo, table=table, accounts=AccountStore(dynamo, table),
                   principals=PrincipalStore(dynamo, table), staff=StaffStore(dynamo, table),
                   customers=CustomerStore(dynamo, table), bookings=BookingStore(dynamo, table),
                   search=SearchStore(dynamo, table), addresses=AddressStore(dynamo, table))

    def customer_rules(self, account_id: str, email: str | None) -> tuple[list[FieldDefinition], int]:
        """What a customer's write is checked against and takes: the business's custom field
        definitions and, for an email, the count of its bookings; one round trip."""
        keys = [fields_key(account_id)] + ([counter_key(account_id, email)] if email else [])
        found = {item["sk"]: item for item in self.dynamo.get_many(self.table, keys)}
        count = found.get(counter_key(account_id, email)["sk"], {}).get("count", 0) if email else 0
        return field_definitions(found.get(fields_key(account_id)["sk"])), int(count)
