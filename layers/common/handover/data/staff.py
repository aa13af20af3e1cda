"""A business's staff members (its owner among them)."""

from __future__ import annotations

from handover.data.accounts import AccountRecord
from handover.data.dynamo import Dynamo
from handover.data.keys import account_key, operator_key, staff_key
from handover.data.principals import OperatorRecord, StaffRecord


class StaffStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def get(self, account_id: str, staff_id: str) -> StaffRecord | None:
        item = self._dynamo.get(self.table, staff_key(account_id, staff_id))
        return StaffRecord.model_validate(item) if item else None

    def with_account(self, account_id: str, staff_id: str | None, operator_id: str | None = None,
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
