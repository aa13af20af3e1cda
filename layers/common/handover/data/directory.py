"""The directory table, one store per item family: businesses, whoever signs in, staff,
customers, bookings, the customers' search index, the businesses' activity, addresses (the claims
on emails), the operators' roster. Keys are listed in `handover.data.keys`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from handover.data.accounts import AccountRecord, AccountStore, field_definitions
from handover.data.activity import ActivityStore, MonthActivity, StepRecord, month_key, month_of, step_key, step_of
from handover.data.addresses import AddressStore
from handover.data.bookings import BookingStore, EmailLedger, ledger_key, ledger_of
from handover.data.customers import CustomerStore
from handover.data.dynamo import Dynamo
from handover.data.keys import account_key, fields_key
from handover.data.operators import OperatorRoster
from handover.data.principals import PrincipalStore
from handover.data.roster import RosterStore
from handover.data.search import SearchStore
from handover.data.staff import StaffStore
from handover.data.wire import Item

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
    operators: OperatorRoster

    @classmethod
    def on(cls, dynamo: Dynamo, table: str) -> Directory:
        return cls(dynamo=dynamo, table=table, accounts=AccountStore(dynamo, table),
                   principals=PrincipalStore(dynamo, table), staff=StaffStore(dynamo, table),
                   customers=CustomerStore(dynamo, table), bookings=BookingStore(dynamo, table),
                   search=SearchStore(dynamo, table), roster=RosterStore(dynamo, table),
                   activity=ActivityStore(dynamo, table), addresses=AddressStore(dynamo, table),
                   operators=OperatorRoster(dynamo, table))

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

    def account_activity(self, account_id: str, months: Sequence[str], steps: Sequence[str]
                         ) -> tuple[AccountRecord | None, list[MonthActivity], dict[str, StepRecord]]:
        """A business (None if there is none), the counters of `months` (zeros for a month with
        nothing in it) and which of `steps` it completed, all read by key in one round trip."""
        keys = [account_key(account_id), *(month_key(account_id, month) for month in months),
                *(step_key(account_id, step) for step in steps)]
        found = {(item["pk"], item["sk"]): item for item in self.dynamo.get_many(self.table, keys)}

        def item(key: Item) -> Item | None:
            return found.get((key["pk"], key["sk"]))

        account = item(account_key(account_id))
        completed = (item(step_key(account_id, step)) for step in steps)
        return (AccountRecord.model_validate(account) if account else None,
                [month_of(month, item(month_key(account_id, month))) for month in months],
                {record.step: record for record in map(step_of, filter(None, completed))})
