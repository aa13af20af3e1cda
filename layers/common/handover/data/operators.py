"""The roster of operators: one entry per operator under one key, written in the transaction that
adds the operator, so listing them all (to assign them to businesses) is a Query, never a Scan.

    OPERATORS   OPERATOR#<id>   id, email, name, secure: a copy of the operator's own item
                                (OPERATOR#<id> / OPERATOR); whatever changes those fields there
                                changes them here in the same transaction

Operators are few, so one partition holds them all; ids are ULIDs, so the roster lists them in
the order they were added.
"""

from __future__ import annotations

from handover.data.dynamo import Dynamo, Write, put
from handover.data.principals import OperatorRecord
from handover.data.wire import Item
from handover.models import Model

ROSTER = "OPERATORS"


class RosterEntry(Model):
    id: str
    email: str
    name: str
    secure: bool


class OperatorRoster:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def page(self, limit: int, after: Item | None = None) -> tuple[list[RosterEntry], Item | None]:
        """A page of operators in the order they were added, and where the next page starts."""
        items, last = self._dynamo.query(self.table, "pk = :pk", {":pk": ROSTER}, limit=limit, start_key=after)
        return [RosterEntry.model_validate(item) for item in items], last

    def add(self, operator: OperatorRecord) -> Write:
        """The operator's entry (to write with the operator)."""
        entry = RosterEntry(id=operator.id, email=operator.email, name=operator.name, secure=operator.secure)
        return put(self.table, {"pk": ROSTER, "sk": f"OPERATOR#{operator.id}", **entry.model_dump()},
                   "attribute_not_exists(pk)")
