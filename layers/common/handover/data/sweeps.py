"""How far the daily cleanup (handover.cleanup) has swept each table's expiry index, kept in the
directory table:

    CLEANUP   SWEPT#<table>   through: the last expiry day (YYYY-MM-DD) whose every item is gone

A mark only moves forward, and a condition decides between two runs at once. A run that stops at
its cap leaves the mark where it was, so the next run reads those days again."""

from __future__ import annotations

from handover.data.dynamo import Dynamo, put

PARTITION = "CLEANUP"


class SweepMarks:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def swept(self) -> dict[str, str]:
        """Each table's last day swept clean, by the name the cleanup gives it."""
        items, _ = self._dynamo.query(self.table, "pk = :pk", {":pk": PARTITION}, consistent=True)
        return {item["sk"].removeprefix("SWEPT#"): item["through"] for item in items}

    def advance(self, name: str, through: str) -> None:
        self._dynamo.applied(put(self.table, {"pk": PARTITION, "sk": f"SWEPT#{name}", "through": through},
                                 "attribute_not_exists(through) OR through < :through",
                                 values={":through": through}))
