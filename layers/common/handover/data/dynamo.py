"""The one place that calls DynamoDB.

Items go in and come out as plain dicts (handover.data.wire writes and reads DynamoDB's wire
format). Writes that must not race are built as operations that name the domain error their
condition stands for; `transact` runs them as one `TransactWriteItems` and raises that error when
the condition fails, so no caller ever reads the cancellation reasons or matches error text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handover.data.wire import Item, deserialise, serialise
from handover.errors import HandoverError, StorageUnavailable

FailureFactory = Callable[[Item | None], HandoverError]

_UNAVAILABLE = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
}
_BATCH_GET = 100  # keys per BatchGetItem, at most
_TRANSACTION_ATTEMPTS = 3
_BATCH_ATTEMPTS = 8


@dataclass(frozen=True)
class Write:
    """One operation of a transaction: Put, Update, Delete or ConditionCheck."""

    kind: str
    table: str
    key_or_item: Item
    update: str | None = None
    condition: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    on_condition_failure: FailureFactory | None = None

    def request(self) -> dict[str, Any]:
        body: dict[str, Any] = {"TableName": self.table}
        body["Item" if self.kind == "Put" else "Key"] = serialise(self.key_or_item)
        if self.update:
            body["UpdateExpression"] = self.update
        if self.condition:
            body["ConditionExpression"] = self.condition
            body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        if self.names:
            body["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            body["ExpressionAttributeValues"] = serialise(self.values)
        return {self.kind: body}


def put(table: str, item: Item, condition: str | None = None, *, names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None, on_condition_failure: FailureFactory | None = None) -> Write:
    return Write("Put", table, item, None, condition, names or {}, values or {}, on_condition_failure)


def update(table: str, key: Item, expression: str, condition: str | None = None, *,
           names: Mapping[str, str] | None = None, values: Mapping[str, Any] | None = None,
           on_condition_failure: FailureFactory | None = None) -> Write:
    return Write("Update", table, key, expression, condition, names or {}, values or {}, on_condition_failure)


def delete(table: str, key: Item, condition: str | None = None, *, names: Mapping[str, str] | None = None,
           values: Mapping[str, Any] | None = None, on_condition_failure: FailureFactory | None = None) -> Write:
    return Write("Delete", table, key, None, condition, names or {}, values or {}, on_condition_failure)


def check(table: str, key: Item, condition: str, *, names: Mapping[str, str] | None = None,
          values: Mapping[str, Any] | None = None, on_condition_failure: FailureFactory | None = None) -> Write:
    """A condition on an item the transaction does not change."""
    return Write("ConditionCheck", table, key, None, condition, names or {}, values or {}, on_condition_failure)


class Dynamo:
    """A thin, thread-safe wrapper over the low-level DynamoDB client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def get(self, table: str, key: Item) -> Item | None:
        response = self._call("get_item", TableName=table, Key=serialise(key), ConsistentRead=True)
        return deserialise(response["Item"]) if "Item" in response else None

    def get_many(self, table: str, keys: Sequence[Item]) -> list[Item]:
        """Strongly consistent reads of a few items, in one round trip per 100."""
        return [item for start in range(0, len(keys), _BATCH_GET)
                for item in self.get_across({table: keys[start:start + _BATCH_GET]})[table]]

    def get_across(self, keys: Mapping[str, Sequence[Item]]) -> dict[str, list[Item]]:
        """Strongly consistent reads of items of several tables (100 keys at most), in one round trip."""
        wanted: dict[str, Any] = {table: {"Keys": [serialise(key) for key in table_keys], "ConsistentRead": True}
                                  for table, table_keys in keys.items() if table_keys}
        found: dict[str, list[Item]] = {table: [] for table in keys}
        while wanted:
            response = self._call("batch_get_item", RequestItems=wanted)
            for table, raws in response["Responses"].items():
                found[table].extend(deserialise(raw) for raw in raws)
            wanted = response.get("UnprocessedKeys") or {}
        return found

    def query(self, table: str, key_condition: str, values: Mapping[str, Any], *,
              names: Mapping[str, str] | None = None, index: str | None = None, limit: int | None = None,
              newest_first: bool = False, start_key: Item | None = None, projection: str | None = None,
              consistent: bool = False) -> tuple[list[Item], Item | None]:
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": serialise(values),
            "ScanIndexForward": not newest_first,
        }
        if names:
            request["ExpressionAttributeNames"] = dict(names)
        if index:
            request["IndexName"] = index
        if limit:
            request["Limit"] = limit
        if start_key:
            request["ExclusiveStartKey"] = serialise(start_key)
        if projection:
            request["ProjectionExpression"] = projection
        if consistent:
            request["ConsistentRead"] = True
        response = self._call("query", **request)
        last = response.get("LastEvaluatedKey")
        return [deserialise(raw) for raw in response.get("Items", [])], deserialise(last) if last else None

    def scan(self, table: str, condition: str, values: Mapping[str, Any]) -> Iterator[Item]:
        """Every item of the table that meets `condition`, page by page. Only for admin work on
        small tables: request paths Query."""
        request: dict[str, Any] = {"TableName": table, "FilterExpression": condition,
                                   "ExpressionAttributeValues": serialise(values)}
        while True:
            response = self._call("scan", **request)
            yield from (deserialise(raw) for raw in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def increment(self, table: str, key: Item, attribute: str, also_set: Mapping[str, Any] | None = None, *,
                  below: int | None = None, by: int = 1) -> int | None:
        """Atomically add `by` to a counter (creating it), setting `also_set` beside it; the new
        value, or None when `below` is given and the counter has already reached it."""
        names = {"#counter": attribute}
        values: dict[str, Any] = {":one": by}
        sets = []
        for number, (name, value) in enumerate((also_set or {}).items()):
            names[f"#a{number}"] = name
            values[f":a{number}"] = value
            sets.append(f"#a{number} = :a{number}")
        request: dict[str, Any] = {
            "TableName": table, "Key": serialise(key), "ReturnValues": "UPDATED_NEW",
            "UpdateExpression": "ADD #counter :one" + (" SET " + ", ".join(sets) if sets else ""),
            "ExpressionAttributeNames": names,
        }
        if below is not None:
            request["ConditionExpression"] = "attribute_not_exists(#counter) OR #counter < :below"
            values[":below"] = below
        request["ExpressionAttributeValues"] = serialise(values)
        try:
            response = self._call("update_item", **request)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return int(deserialise(response["Attributes"])[attribute])

    def keys_expired(self, table: str, index: str, day: str, now: int, limit: int, key_names: tuple[str, ...],
                     after: Item | None = None) -> tuple[list[Item], Item | None]:
        """A page of table keys of items whose `expiry_day` is `day` and `expires_at` is before
        `now`, and where the next page starts."""
        items, last = self.query(table, "expiry_day = :day AND expires_at < :now", {":day": day, ":now": now},
                                 index=index, limit=limit, start_key=after)
        return [{name: item[name] for name in key_names} for item in items], last

    def delete_many(self, table: str, keys: Sequence[Item]) -> None:
        """Delete items 25 at a time (BatchWriteItem), retrying whatever DynamoDB leaves unprocessed."""
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": serialise(key)}} for key in keys[start:start + 25]]
            for attempt in range(_BATCH_ATTEMPTS):
                response = self._call("batch_write_item", RequestItems={table: requests})
                requests = response.get("UnprocessedItems", {}).get(table, [])
                if not requests:
                    break
                time.sleep(min(2.0, 0.05 * 2 ** attempt))  # DynamoDB asked us to slow down
            else:
                raise StorageUnavailable("DynamoDB left deletions unprocessed")

    def write(self, operation: Write) -> None:
        """A single conditional write, outside a transaction."""
        method, request = _single(operation)
        try:
            self._call(method, **request, **({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
                                              if operation.condition else {}))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            old = error.response.get("Item")
            raise _failure(operation, deserialise(old) if old else None) from None

    def applied(self, operation: Write) -> bool:
        """A single conditional write whose condition may simply not hold: False when it did not
        (nothing written), True when it was made."""
        method, request = _single(operation)
        try:
            self._call(method, **request)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def transact(self, operations: Iterable[Write]) -> None:
        """All or nothing. A failed condition raises the error its operation names; conflicts with
        a concurrent transaction are retried, since the conditions still decide the outcome."""
        operations = list(operations)
        request = [operation.request() for operation in operations]
        for attempt in range(_TRANSACTION_ATTEMPTS):
            try:
                self._call("transact_write_items", TransactItems=request)
                return
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                for operation, reason in zip(operations, reasons, strict=False):
                    if reason.get("Code") == "ConditionalCheckFailed":
                        old = reason.get("Item")
                        raise _failure(operation, deserialise(old) if old else None) from None
                if attempt == _TRANSACTION_ATTEMPTS - 1 or not any(
                        reason.get("Code") == "TransactionConflict" for reason in reasons):
                    raise StorageUnavailable() from None

    def _call(self, method: str, **request: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, method)(**request)
            return response
        except ClientError as error:
            if error.response["Error"]["Code"] in _UNAVAILABLE:
                raise StorageUnavailable() from None
            raise
        except BotoCoreError:
            raise StorageUnavailable() from None


def _single(operation: Write) -> tuple[str, dict[str, Any]]:
    """The client method and request of an operation made on its own."""
    request: dict[str, Any] = operation.request()[operation.kind]
    request.pop("ReturnValuesOnConditionCheckFailure", None)
    return {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}[operation.kind], request


def _failure(operation: Write, old: Item | None) -> HandoverError:
    if operation.on_condition_failure is None:
        raise RuntimeError(f"unexpected condition failure on {operation.table}")
    return operation.on_condition_failure(old)
