"""local.moto_patches: its Query, which hands moto only the items a Query can match (its answers
are those of a Scan filtered and sorted as DynamoDB would, page by page, on the table and on an
index); its replies' attribute values, written as moto would write them; its list of services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from local.moto_patches import make_dynamodb_fast

# (pk, sk, gk, gs): 4 hash keys of the table, 3 of the index; one item without the index's keys.
ITEMS = [{"pk": f"p{p}", "sk": f"s{s:02}", **({"gk": f"g{(p + s) % 3}", "gs": f"t{s % 4}"} if (p, s) != (1, 5) else {})}
         for p in range(4) for s in range(12)]


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    make_dynamodb_fast()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
        strings = [{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gk", "gs")]
        dynamodb.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=strings,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{"IndexName": "by_g", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
                {"AttributeName": "gk", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}]}])
        dynamodb.create_table(TableName="plain", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=strings[:1],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        for item in ITEMS:
            dynamodb.put_item(TableName="t", Item={name: {"S": value} for name, value in item.items()})
            dynamodb.put_item(TableName="plain", Item={"pk": {"S": item["pk"] + item["sk"]}})
        yield dynamodb


def _queried(client: Any, limit: int, **query: Any) -> list[dict[str, str]]:
    found, start = [], {}
    while True:
        page = client.query(TableName="t", Limit=limit, **query, **start)
        found += [{name: value["S"] for name, value in item.items()} for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [1, 5, 100])
def test_a_query_of_the_table_answers_its_hash_keys_items_in_order(client: Any, forward: bool, limit: int) -> None:
    for pk in ("p0", "p2", "p9"):
        wanted = sorted((item for item in ITEMS if item["pk"] == pk), key=lambda item: item["sk"], reverse=not forward)
        assert _queried(client, limit, KeyConditionExpression="pk = :p", ScanIndexForward=forward,
                        ExpressionAttributeValues={":p": {"S": pk}}) == wanted
        between = [item for item in wanted if "s03" <= item["sk"] <= "s07"]
        assert _queried(client, limit, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                        ScanIndexForward=forward, ExpressionAttributeValues={
                            ":p": {"S": pk}, ":a": {"S": "s03"}, ":b": {"S": "s07"}}) == between


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [1, 5, 100])
def test_a_query_of_an_index_answers_every_matching_item_in_the_indexs_order(client: Any, forward: bool,
                                                                             limit: int) -> None:
    for gk in ("g0", "g1", "g2"):
        wanted = sorted((item for item in ITEMS if item.get("gk") == gk),
                        key=lambda item: (item["gs"], item["pk"], item["sk"]), reverse=not forward)
        assert len(wanted) > 10
        assert _queried(client, limit, IndexName="by_g", KeyConditionExpression="gk = :g", ScanIndexForward=forward,
                        ExpressionAttributeValues={":g": {"S": gk}}) == wanted
        prefixed = [item for item in wanted if item["gs"].startswith("t1")]
        assert _queried(client, limit, IndexName="by_g", KeyConditionExpression="gk = :g AND begins_with(gs, :s)",
                        ScanIndexForward=forward, ExpressionAttributeValues={
                            ":g": {"S": gk}, ":s": {"S": "t1"}}) == prefixed


def test_a_query_leaves_the_table_as_it_was(client: Any) -> None:
    """No empty entry for a hash key that no item has (moto keeps its items in a defaultdict), and
    a Scan, which the patch leaves alone, still walks the table in its key order."""
    assert client.query(TableName="plain", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "nobody"}})["Items"] == []
    assert client.query(TableName="plain", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p1s05"}})["Items"] == [{"pk": {"S": "p1s05"}}]
    scanned = client.scan(TableName="plain")["Items"]
    assert len(scanned) == len(ITEMS)
    assert client.describe_table(TableName="plain")["Table"]["ItemCount"] == len(ITEMS)
    pages = client.scan(TableName="t", Limit=7)
    assert [item["sk"]["S"] for item in pages["Items"]] == [f"s{s:02}" for s in range(7)]


def test_moto_lists_its_services_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same services as moto's own listing, without listing its directories again."""
    import os

    from moto import backends

    from local.moto_patches import list_services_once

    listed = list(backends.list_of_moto_modules())
    list_services_once()
    monkeypatch.setattr(os, "listdir", lambda *_: pytest.fail("moto listed its directories again"))
    assert list(backends.list_of_moto_modules()) == listed
    assert {"dynamodb", "kms", "sesv2", "sqs", "events", "s3"} <= set(listed)


_NAMES = st.text(min_size=1, max_size=5)
_SCALAR_VALUES = st.one_of(
    st.builds(lambda text: {"S": text}, st.text(max_size=8)),
    st.builds(lambda number: {"N": str(number)}, st.integers() | st.decimals(allow_nan=False, allow_infinity=False)),
    st.builds(lambda flag: {"BOOL": flag}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda texts: {"SS": texts}, st.lists(st.text(max_size=4), min_size=1, max_size=3, unique=True)),
    st.builds(lambda numbers: {"NS": [str(n) for n in numbers]}, st.lists(st.integers(), min_size=1, max_size=3,
                                                                        unique=True)),
    st.builds(lambda blob: {"B": blob}, st.binary(max_size=6)),
    st.builds(lambda blob: {"B": blob}, st.text(max_size=6)),  # as moto's to_json hands binary values on
    st.builds(lambda blobs: {"BS": blobs}, st.lists(st.binary(max_size=4), min_size=1, max_size=2, unique=True)),
    st.builds(lambda number: {"N": number}, st.integers()),  # not a string: not plain, the generic way
)
_ATTRIBUTE_VALUES = st.recursive(_SCALAR_VALUES, lambda inner: st.one_of(
    st.builds(lambda members: {"L": members}, st.lists(inner, max_size=3)),
    st.builds(lambda members: {"M": members}, st.dictionaries(_NAMES, inner, max_size=3))), max_leaves=8)


@given(items=st.lists(st.dictionaries(_NAMES, _ATTRIBUTE_VALUES, max_size=4), max_size=3))
def test_attribute_values_are_written_as_moto_writes_them(items: list[dict[str, Any]]) -> None:
    """A reply with items (a Query's, a BatchGetItem's) written with the patch is the reply moto's
    generic serializer writes, whatever the attribute values: binary ones and any moto would
    write differently go the generic way."""
    import json

    from moto.core.serialize import BaseJSONSerializer, XFormedAttributePicker, get_serializer_class
    from moto.core.utils import get_service_model

    make_dynamodb_fast()
    service = get_service_model("dynamodb")  # moto's own model classes, as its responses use
    serializer_class = get_serializer_class("dynamodb", "json")
    replies = {"Query": {"Items": items, "Count": len(items)},
               "BatchGetItem": {"Responses": {"t": items}, "UnprocessedKeys": {}}}
    for operation, reply in replies.items():
        written = []
        for serialize in (BaseJSONSerializer._serialize, BaseJSONSerializer._serialize._generic):  # type: ignore[attr-defined]
            serializer = serializer_class(operation_model=service.operation_model(operation),
                                          value_picker=XFormedAttributePicker())
            serializer._serialize = serialize.__get__(serializer)  # type: ignore[method-assign]
            written.append(json.loads(serializer.serialize(reply)["body"]))
        assert written[0] == written[1]
