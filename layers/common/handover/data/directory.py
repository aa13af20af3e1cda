"""The directory table, one store per item family: businesses, whoever signs in, staff,
customers, bookings, the customers' search index, the businesses' activity, addresses (the claims
on emails), the operators' roster. Keys are listed in `handover.data.keys`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, overload

from handover.data.accounts import AccountRecord, AccountStore, field_definitions
from handover.data.dynamo import Dynamo
from handover.data.keys import account_key, fields_key
from handover.data.principals import PrincipalStore
from handover.data.wire import Item

if TYPE_CHECKING:
    from handover.customers.fields import FieldDefinition
    from handover.data.activity import ActivityStore, MonthActivity, StepRecord
    from handover.data.addresses import AddressStore
    from handover.data.bookings import BookingStore, EmailLedger
    from handover.data.customers import CustomerStore
    from handover.data.operators import OperatorRoster
    from handover.data.roster import RosterStore
    from handover.data.search import SearchStore
    from handover.data.staff import StaffStore


@dataclass(frozen=True)
class Directory:
    """Each store is built, and its module imported, when first used: a function imports the
    stores its routes use, not every family's."""

    dynamo: Dynamo
    table: str

    @classmethod
    def on(cls, dynamo: Dynamo, table: str) -> Directory:
        return cls(dynamo=dynamo, table=table)

    @cached_property
    def accounts(self) -> AccountStore:
        return AccountStore(self.dynamo, self.table)

    @cached_property
    def principals(self) -> PrincipalStore:
        return PrincipalStore(self.dynamo, self.table)

    @cached_property
    def staff(self) -> StaffStore:
        from handover.data.staff import StaffStore
        return StaffStore(self.dynamo, self.table)

    @cached_property
    def customers(self) -> CustomerStore:
        from handover.data.customers import CustomerStore
        return CustomerStore(self.dynamo, self.table)

    @cached_property
    def bookings(self) -> BookingStore:
        from handover.data.bookings import BookingStore
        return BookingStore(self.dynamo, self.table)

    @cached_property
    def search(self) -> SearchStore:
        from handover.data.search import SearchStore
        return SearchStore(self.dynamo, self.table)

    @cached_property
    def roster(self) -> RosterStore:
        from handover.data.roster import RosterStore
        return RosterStore(self.dynamo, self.table)

    @cached_property
    def activity(self) -> ActivityStore:
        from handover.data.activity import ActivityStore
        return ActivityStore(self.dynamo, self.table)

    @cached_property
    def addresses(self) -> AddressStore:
        from handover.data.addresses import AddressStore
        return AddressStore(self.dynamo, self.table)

    @cached_property
    def operators(self) -> OperatorRoster:
        from handover.data.operators import OperatorRoster
        return OperatorRoster(self.dynamo, self.table)

    def before_snapshot(self) -> None:
        """Builds every store: SnapStart's hook calls it, so that no first request after a restore
        imports one."""
        for name, member in vars(Directory).items():
            if isinstance(member, cached_property):
                getattr(self, name)

    @overload
    def customer_rules(self, account_id: str, email: str) -> tuple[list[FieldDefinition], EmailLedger]: ...

    @overload
    def customer_rules(self, account_id: str, email: None) -> tuple[list[FieldDefinition], None]: ...

    def customer_rules(self, account_id: str,
                       email: str | None) -> tuple[list[FieldDefinition], EmailLedger | None]:
        """What a customer's write is checked against and takes: the business's custom field
        definitions and, for an email being taken, its ledger (who holds it, the bookings nobody
        holds yet); one round trip."""
        from handover.data.bookings import ledger_key, ledger_of

        keys = [fields_key(account_id)] + ([ledger_key(account_id, email)] if email else [])
        found = {item["sk"]: item for item in self.dynamo.get_many(self.table, keys)}
        ledger = ledger_of(account_id, email, found.get(ledger_key(account_id, email)["sk"])) if email else None
        return field_definitions(found.get(fields_key(account_id)["sk"])), ledger

    def account_activity(self, account_id: str, months: Sequence[str], steps: Sequence[str]
                         ) -> tuple[AccountRecord | None, list[MonthActivity], dict[str, StepRecord]]:
        """A business (None if there is none), the counters of `months` (zeros for a month with
        nothing in it) and which of `steps` it completed, all read by key in one round trip."""
        from handover.data.activity import month_key, month_of, step_key, step_of

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
