"""The directory table, one store per item family: businesses, whoever signs in, staff,
customers, bookings, the customers' search index. Keys are listed in `handover.data.keys`."""

from __future__ import annotations

from dataclasses import dataclass

from handover.data.accounts import AccountStore
from handover.data.bookings import BookingStore
from handover.data.customers import CustomerStore
from handover.data.dynamo import Dynamo
from handover.data.principals import PrincipalStore
from handover.data.search import SearchStore
from handover.data.staff import StaffStore


@dataclass(frozen=True)
class Directory:
    table: str
    accounts: AccountStore
    principals: PrincipalStore
    staff: StaffStore
    customers: CustomerStore
    bookings: BookingStore
    search: SearchStore

    @classmethod
    def on(cls, dynamo: Dynamo, table: str) -> Directory:
        return cls(table=table, accounts=AccountStore(dynamo, table), principals=PrincipalStore(dynamo, table),
                   staff=StaffStore(dynamo, table), customers=CustomerStore(dynamo, table),
                   bookings=BookingStore(dynamo, table), search=SearchStore(dynamo, table))
