"""A business's staff members (its owner among them): read one, a page of them, and the writes
that change and remove a member.

    ACCT#<acct>   STAFF#<id>   a staff member (the owner's id is the business's id)

A page is a Query on the business's partition (`sk` beginning `STAFF#`), in id order: ids are
ULIDs, so that is the order they joined in, the owner first.
"""

from __future__ import annotations

from typing import Any, Literal

from handover.data.accounts import AccountRecord
from handover.data.dynamo import Dynamo, Write, delete, update
from handover.data.keys import account_key, email_claim_key, operator_key, staff_key
from handover.data.principals import OperatorRecord, StaffRecord
from handover.data.wire import Item
from handover.errors import HandoverError, NotFound, OwnerRequired

STAFF_PREFIX = "STAFF#"
# What staff may hold: the owner holds every one, and only the owner `staff:manage`.
Permission = Literal["customers:read", "customers:write", "staff:manage"]
PERMISSIONS: tuple[Permission, ...] = ("customers:read", "customers:write", "staff:manage")


class StaffStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def get(self, account_id: str, staff_id: str) -> StaffRecord | None:
        item = self._dynamo.get(self.table, staff_key(account_id, staff_id))
        return StaffRecord.model_validate(item) if item else None

    def page(self, account_id: str, limit: int, after: str | None = None) -> tuple[list[StaffRecord], str | None]:
        """Up to `limit` members after the one with id `after`, and the id the next page starts
        after (None on the last page)."""
        start = staff_key(account_id, after) if after else None
        items, _ = self._dynamo.query(self.table, "pk = :pk AND begins_with(sk, :staff)",
                                      {":pk": account_key(account_id)["pk"], ":staff": STAFF_PREFIX},
                                      limit=limit + 1, start_key=start, consistent=True)
        members = [StaffRecord.model_validate(item) for item in items[:limit]]
        return members, members[-1].id if len(items) > limit else None

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

    # -- writes, as transaction operations -----------------------------------------------------

    def change(self, staff: StaffRecord, changes: dict[str, Any]) -> Write:
        """Set names and permissions, while the member exists."""
        names = {f"#c{number}": name for number, name in enumerate(changes)}
        values = {f":c{number}": value for number, value in enumerate(changes.values())}
        expression = "SET " + ", ".join(f"{name} = {value}" for name, value in zip(names, values, strict=True))
        return update(self.table, staff_key(staff.account_id, staff.id), expression, "attribute_exists(pk)",
                      names=names, values=values, on_condition_failure=_gone)

    def remove(self, staff: StaffRecord) -> list[Write]:
        """The member and the claim on their email (which frees it); never the owner. Pair it
        with `AccountStore.free_staff_slot`."""
        return [
            delete(self.table, staff_key(staff.account_id, staff.id), "attribute_exists(pk) AND #role = :staff",
                   names={"#role": "role"}, values={":staff": "staff"}, on_condition_failure=_not_removable),
            delete(self.table, email_claim_key("staff", staff.account_id, staff.email)),
        ]


def _gone(_old: Item | None) -> HandoverError:
    return NotFound("No such staff member")


def _not_removable(old: Item | None) -> HandoverError:
    return OwnerRequired() if old is not None and old.get("role") == "owner" else _gone(old)
