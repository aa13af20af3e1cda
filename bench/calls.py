"""AWS round trips, counted with botocore's event hooks, and the DynamoDB capacity each one
would consume on an on-demand table.

A Recorder is attached to the botocore session that handover.runtime.Runtime.session creates, before
any client exists: every client made from that session copies the session's handlers, so every
call the service makes is seen, and nothing else (the bench's own clients come from other sessions).

Capacity estimate (what DynamoDB would bill; moto does not report it, so it is estimated from the
request and from the item as it was before and after the call, read back through an unrecorded
client from moto):

* reads: GetItem and BatchGetItem charge per item, 1 RRU per 4 KB when strongly consistent (all
  of the service's point reads are), 0.5 when eventually consistent; a key that finds nothing
  still costs the minimum. Query charges for the data it reads, summed over the items and
  rounded up to 4 KB, 0.5 RRU per 4 KB when eventually consistent (every Query here: GSIs
  cannot be read consistently, and the base-table queries do not ask), at least one unit; a
  `Select=COUNT` query reads the items all the same.
* writes: PutItem, UpdateItem and DeleteItem cost 1 WRU per KB of the larger of the item before
  and after the write; inside TransactWriteItems every item costs twice that (2 WRU per KB), a
  ConditionCheck included (counted as a 2 WRU item, the conservative reading).
* indexes: a write also writes each GSI whose entry it creates, changes or removes, 1 WRU per KB
  (not doubled by transactions), 2 when it moves the entry to another index key (delete + put):
  the directory's by_lookup index projects ALL attributes, so any change to an item carrying
  `lookup` (principals, businesses, failed-login windows) rewrites its entry; the links' and
  history's by_expiry_day indexes are KEYS_ONLY, so only writes that add or remove an item
  (or change expiry_day/expires_at) touch them, and consuming a link does not.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from local.aws import STACK
from local.template import resources

_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None
    before: list[dict[str, Any] | None] = field(default_factory=list)  # items a write targets, before it
    after: list[dict[str, Any] | None] = field(default_factory=list)
    read_bytes: int | None = None  # what a Query read, whatever it returned


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str


@dataclass(frozen=True)
class Table:
    keys: tuple[str, ...]
    indexes: tuple[Index, ...]


def table_shapes() -> dict[str, Table]:
    """Every table of template.yaml by its local name (local.aws names them <stack>-<logical id>)."""
    shapes = {}
    for logical_id, props in resources("AWS::DynamoDB::Table").items():
        indexes = tuple(Index(index["IndexName"], tuple(key["AttributeName"] for key in index["KeySchema"]),
                              index["Projection"]["ProjectionType"])
                        for index in props.get("GlobalSecondaryIndexes", []))
        shapes[f"{STACK}-{logical_id}"] = Table(tuple(key["AttributeName"] for key in props["KeySchema"]), indexes)
    return shapes


class Recorder:
    """Records the calls made through one botocore session while active."""

    def __init__(self, inspector: Any = None) -> None:
        self.calls: list[Call] = []
        self.clients: list[str] = []  # services of the clients built from the session, in order
        self.active = False
        self._inspector = inspector  # an unrecorded DynamoDB client, for the items' before and after
        self._tables = table_shapes()

    def attach(self, session: Any) -> None:
        session.register("before-parameter-build", self._params)
        session.register("before-call", self._before_call)
        session.register("after-call", self._after_call)
        session.register("creating-client-class", self._client_built)

    def take(self) -> list[Call]:
        calls, self.calls = self.calls, []
        return calls

    # -- hooks -------------------------------------------------------------------------------------

    def _client_built(self, event_name: str, **_: Any) -> None:
        self.clients.append(event_name.rsplit(".", 1)[-1])

    def _params(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.active:
            context["bench_call"] = Call(model.service_model.service_name, model.name, copy.deepcopy(params))

    def _before_call(self, context: dict[str, Any], **_: Any) -> None:
        call: Call | None = context.get("bench_call")
        if call is None:
            return
        self.calls.append(call)
        if self._inspector is not None and call.service == "dynamodb" and call.operation in _WRITES:
            call.before = [self._read(table, key) for table, key, _ in targets(call, self._tables)]

    def _after_call(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        call: Call | None = context.get("bench_call")
        if call is None:
            return
        call.response = parsed
        if self._inspector is None or call.service != "dynamodb":
            return
        if call.operation in _WRITES:
            call.after = [self._read(table, key) for table, key, _ in targets(call, self._tables)]
        elif call.operation == "Query":
            again = {name: value for name, value in call.params.items()
                     if name not in ("Select", "ProjectionExpression")}
            items = self._inspector.query(**again).get("Items", [])
            call.read_bytes = sum(item_size(item) for item in items)

    # -- helpers ---------------------------------------------------------------------------------

    def _read(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._inspector.get_item(TableName=table, Key=key,
                                                                ConsistentRead=True).get("Item")
        return item


def targets(call: Call, tables: dict[str, Table]) -> list[tuple[str, dict[str, Any], str]]:
    """(table, key, kind) of every item a DynamoDB write names."""

    def key(table: str, body: dict[str, Any]) -> dict[str, Any]:
        if "Key" in body:
            return dict(body["Key"])
        return {name: body["Item"][name] for name in tables[table].keys}

    params = call.params
    if call.operation == "TransactWriteItems":
        found = []
        for entry in params["TransactItems"]:
            ((kind, body),) = entry.items()
            found.append((body["TableName"], key(body["TableName"], body), kind))
        return found
    if call.operation == "BatchWriteItem":
        return [(table, key(table, request.get("PutRequest") or request["DeleteRequest"]),
                 "Put" if "PutRequest" in request else "Delete")
                for table, requests in params["RequestItems"].items() for request in requests]
    return [(params["TableName"], key(params["TableName"], params), call.operation.removesuffix("Item"))]


# -- capacity ------------------------------------------------------------------------------------


def _value_size(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value (wire format), as its docs define it."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = len(inner.lstrip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind == "B":
        return len(inner) if isinstance(inner, bytes | bytearray) else len(str(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + _value_size(item) + 1 for name, item in inner.items())
    if kind == "L":
        return 3 + sum(_value_size(item) + 1 for item in inner)
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: item}) for item in inner)
    return len(str(inner))


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _index_writes(table: Table, before: dict[str, Any] | None, after: dict[str, Any] | None) -> float:
    units = 0.0
    for index in table.indexes:
        was = before is not None and all(key in before for key in index.keys)
        now = after is not None and all(key in after for key in index.keys)
        if not was and not now:
            continue
        size = max(item_size(before) if was else 0, item_size(after) if now else 0)
        per_write = max(1, math.ceil(size / 1024)) if index.projection == "ALL" else 1
        if was and now:
            moved = any(before[key] != after[key] for key in index.keys)  # type: ignore[index]
            if moved:
                units += 2 * per_write
            elif index.projection == "ALL" and before != after:
                units += per_write
        else:
            units += per_write  # the entry is created or removed
    return units


def capacity(call: Call, tables: dict[str, Table] | None = None) -> tuple[float, float]:
    """(read request units, write request units) of one DynamoDB call; (0, 0) for other services."""
    if call.service != "dynamodb":
        return 0.0, 0.0
    tables = tables or table_shapes()
    params, response = call.params, call.response or {}
    if call.operation == "GetItem":
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        return factor * max(1, math.ceil(item_size(response.get("Item")) / 4096)), 0.0
    if call.operation == "BatchGetItem":
        units = 0.0
        for table, request in params["RequestItems"].items():
            factor = 1.0 if request.get("ConsistentRead") else 0.5
            found = response.get("Responses", {}).get(table, [])
            units += factor * sum(max(1, math.ceil(item_size(item) / 4096)) for item in found)
            units += factor * max(0, len(request["Keys"]) - len(found))  # a miss costs the minimum
        return units, 0.0
    if call.operation in ("Query", "Scan"):
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        read = call.read_bytes if call.read_bytes is not None else sum(
            item_size(item) for item in response.get("Items", []))
        return factor * max(1, math.ceil(read / 4096)), 0.0
    if call.operation in _WRITES:
        named = targets(call, tables)
        transactional = call.operation == "TransactWriteItems"
        units = 0.0
        for number, (table, _key, kind) in enumerate(named):
            before = call.before[number] if number < len(call.before) else None
            after = call.after[number] if number < len(call.after) else None
            if not call.after and kind == "Put":  # nothing read back: the item as sent
                after = _sent_item(call, number)
            size = max(item_size(before), item_size(after), 1)
            units += (2 if transactional else 1) * math.ceil(size / 1024)
            units += _index_writes(tables[table], before, after)
        return 0.0, units
    return 0.0, 0.0


def _sent_item(call: Call, number: int) -> dict[str, Any] | None:
    if call.operation == "TransactWriteItems":
        item: dict[str, Any] | None = call.params["TransactItems"][number].get("Put", {}).get("Item")
        return item
    return call.params.get("Item")


def outbox_writes(calls: list[Call]) -> tuple[int, float]:
    """(events raised, the write units they add): the outbox items the calls' transactions put,
    each a transactional write (2 WRU per KB); raising an event adds no call of its own."""
    outbox = f"{STACK}-OutboxTable"
    events, units = 0, 0.0
    for call in calls:
        if call.operation != "TransactWriteItems":
            continue
        for entry in call.params["TransactItems"]:
            put = entry.get("Put")
            if put and put["TableName"] == outbox:
                events += 1
                units += 2 * max(1, math.ceil(item_size(put["Item"]) / 1024))
    return events, units


def names(calls: list[Call]) -> str:
    return ", ".join(call.operation for call in calls) or "(none)"
