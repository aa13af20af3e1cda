"""Where moto's behaviour differs from AWS's in ways the dev server, the tests and the bench would
notice, the patches that bring it back: DynamoDB's atomic writes, the cost of moto's DynamoDB on
large tables and of its server's finding the service of each request, and S3 bodies PUT to a
pre-signed URL. Each patch is applied once, however often it is called."""

from __future__ import annotations

import operator
import threading
from typing import Any


def make_dynamodb_atomic() -> None:
    """DynamoDB applies each write, and each transaction, atomically; moto's server checks a
    transaction's conditions and then applies it without a lock, so two racing transactions can
    both pass, and a stream reader can see the records of a transaction that then fails; and a
    read that walks a table or an index while a write changes it fails (a dictionary changed size
    during iteration: moto answers 500). One lock around moto's writes, reads and stream reads
    restores DynamoDB's guarantees on the dev server, where races are tested over HTTP and the
    queue workers write while requests read."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    lock = threading.RLock()
    operations = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item",
                  "get_item", "batch_get_item", "query", "scan", "transact_get_items")
    for backend, name in [*((DynamoDBBackend, name) for name in operations),
                          (DynamoDBStreamsBackend, "get_records")]:
        original = getattr(backend, name)
        if getattr(original, "_atomic", False):
            continue

        def atomic(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(*args, **kwargs)

        atomic._atomic = True  # type: ignore[attr-defined]
        setattr(backend, name, atomic)


def make_dynamodb_fast() -> None:
    """Three costs of moto's DynamoDB that grow with the table, which customers' score of search
    index items makes large: every transaction backs up each table it touches, whole, once per
    item of the transaction (here it backs up only the items it names, and puts them back if it
    fails, taking back the stream records it wrote too); every comparison of two key values
    converts both first (here two strings, what every key here is, compare as they are, as moto
    would after converting them); and every Query sorts the whole table (see `_query_what_it_can_match`).
    And one that grows with what a read returns: each attribute value of each item returned goes
    through moto's generic serializer (see `_serialize_attribute_values_directly`)."""
    import copy

    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items
    if getattr(original, "_cheap", False):
        return
    _compare_strings_directly(DynamoType)
    _query_what_it_can_match(Table)
    _serialize_attribute_values_directly()

    class _TablesNotCopied:
        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = _TablesNotCopied()  # type: ignore[assignment]

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        streams = {}  # each streamed table's shard, and how many records it held before
        for entry in transact_items:
            operation = next(iter(entry.values()))
            table = self.get_table(operation["TableName"])
            key = operation.get("Key") or operation["Item"]
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
            if table.stream_shard is not None:
                streams.setdefault(table.name, (table.stream_shard, len(table.stream_shard.items)))
        try:
            original(self, transact_items)
        except Exception:
            for shard, count in streams.values():
                del shard.items[count:]
            for table, hash_key, range_key, item in reversed(saved):
                if range_key is None:
                    table.items.pop(hash_key, None) if item is None else table.items.__setitem__(hash_key, item)
                elif item is None:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            raise

    transact_write_items._cheap = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _compare_strings_directly(dynamo_type: Any) -> None:
    for name, compare in (("__eq__", operator.eq), ("__ne__", operator.ne), ("__lt__", operator.lt),
                          ("__le__", operator.le), ("__gt__", operator.gt), ("__ge__", operator.ge)):
        original = getattr(dynamo_type, name)

        def fast(self: Any, other: Any, _original: Any = original, _compare: Any = compare) -> Any:
            if self.type == "S" and getattr(other, "type", None) == "S":
                return _compare(self.value, other.value)
            return _original(self, other)

        setattr(dynamo_type, name, fast)
    dynamo_type.__hash__ = lambda self: hash((self.type, self.value if self.type == "S" else self.cast_value))


_querying = threading.local()  # the table a Query runs on, and the hash key it names (None on an index)


def _query_what_it_can_match(table_class: Any) -> None:
    """moto's Query takes every item of the table, sorted by the table's key, then keeps those it
    matches and sorts them again. A Query of the table can only match the items of its hash key,
    which the table keeps together; a Query of an index, any item, but in no particular order, as
    its results are sorted again by the index's key and the table's (a total order). So while a
    Query runs, the table hands it just those items, unsorted; its results are the same."""
    all_items, query = table_class.all_items, table_class.query

    def items_to_query(self: Any) -> list[Any]:
        scope = getattr(_querying, "scope", None)
        if scope is None or scope[0] is not self:
            return all_items(self)  # type: ignore[no-any-return]
        hash_key = scope[1]
        if hash_key is None:
            return [item for items in self.items.values()
                    for item in (items.values() if self.range_key_attr else (items,))]
        items = self.items.get(hash_key)  # not self.items[...]: a defaultdict would keep the empty key
        if items is None:
            return []
        return list(items.values()) if self.range_key_attr else [items]

    def query_matchable(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")  # moto's backend passes it 8th
        _querying.scope = (self, None if index_name else hash_key)
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _querying.scope = None

    table_class.all_items = items_to_query
    table_class.query = query_matchable


_SCALARS = {"S": str, "N": str, "BOOL": bool, "NULL": bool}
_SETS = ("SS", "NS")


def _plain(value: Any) -> bool:
    """Whether an AttributeValue as moto returns it ({"S": "x"}, {"M": {...}}) is already what its
    JSON serializer would write: one member, of a type written as it is; binary values (written
    in base64) are not."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (kind, inner), = value.items()
    if kind in _SCALARS:
        return type(inner) is _SCALARS[kind]
    if kind in _SETS:
        return type(inner) is list and all(type(member) is str for member in inner)
    if kind == "L":
        return type(inner) is list and all(_plain(member) for member in inner)
    if kind == "M":
        return type(inner) is dict and all(type(name) is str and _plain(member) for name, member in inner.items())
    return False


def _serialize_attribute_values_directly() -> None:
    """moto writes its JSON replies from the service's model: for each member of each attribute
    value of each item returned, it tries several spellings of the member's name against the
    value. A BatchGetItem of 25 customers took 55 ms of the dev server's time, where DynamoDB takes
    a few. An attribute value moto returns is already in DynamoDB's wire format, so where writing
    it would not change it (`_plain`), it is written as it is; any other goes the generic way."""
    from moto.core.serialize import BaseJSONSerializer

    original = BaseJSONSerializer._serialize
    if getattr(original, "_direct", False):
        return

    def serialize(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and _plain(value):
            serialized[shape.serialization.get("name", key)] = value
            return
        original(self, serialized, value, shape, key)

    serialize._direct = True  # type: ignore[attr-defined]
    serialize._generic = original  # type: ignore[attr-defined]
    BaseJSONSerializer._serialize = serialize  # type: ignore[method-assign]


def list_services_once() -> None:
    """moto's server finds the service of a request to a loopback host by listing its package's
    directories, a stat call each, under its dispatcher's lock: 0.4 to 0.9 ms of every request
    (a GetItem round trip takes about 2.5 ms). They do not change while it runs: listed once."""
    from moto import backends

    if getattr(backends.list_of_moto_modules, "_once", False):
        return
    services = tuple(backends.list_of_moto_modules())

    def listed() -> tuple[str, ...]:
        return services

    listed._once = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = listed  # type: ignore[assignment]


def keep_presigned_put_bodies() -> None:
    """S3 stores a PUT's body whatever its Content-Type; moto's server reads a body sent as
    `application/x-www-form-urlencoded` (what urllib sends by default) as a form and stores an empty
    object. A PUT to a pre-signed URL is passed on as `application/octet-stream` instead, so a file
    PUT to an upload URL lands whole, as it would in S3."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    if getattr(original, "_keeps_bodies", False):
        return

    def call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        if (environ.get("REQUEST_METHOD") == "PUT" and "X-Amz-Signature=" in environ.get("QUERY_STRING", "")
                and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")):
            environ["CONTENT_TYPE"] = "application/octet-stream"
        return original(self, environ, start_response)

    call._keeps_bodies = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.__call__ = call  # type: ignore[method-assign]
