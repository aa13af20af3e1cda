"""Creates every AWS resource that template.yaml declares, in moto, and computes the environment
the functions would see in Lambda. Table definitions come from the template itself."""

from __future__ import annotations

import json
import operator
import threading
from typing import Any

import boto3

from local.template import environment_variables, resources, template

STACK = "handover-local"
REGION = "eu-west-1"


def _table_request(logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {
        "TableName": f"{STACK}-{logical_id}",
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [
            {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": index["Projection"]}
            for index in props["GlobalSecondaryIndexes"]
        ]
    return request


def create_resources(session: boto3.session.Session, parameters: dict[str, str] | None = None) -> dict[str, str]:
    """Create the tables, the queues, the signing key, the sender identity and the email
    configuration set; return the function environment (with `QUEUE_URL_<logical id>` added, for
    the local triggers)."""
    refs: dict[str, str] = {"AWS::StackName": STACK, "AWS::Region": REGION}
    for name, spec in template().get("Parameters", {}).items():
        refs[name] = str(spec.get("Default", ""))
    refs.update(parameters or {})

    dynamodb = session.client("dynamodb", region_name=REGION)
    for logical_id, props in resources("AWS::DynamoDB::Table").items():
        request = _table_request(logical_id, props)
        dynamodb.create_table(**request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=request["TableName"], TimeToLiveSpecification=ttl)
        refs[logical_id] = request["TableName"]

    sqs = session.client("sqs", region_name=REGION)
    queues = resources("AWS::SQS::Queue")
    # Dead-letter queues first: the others name them in their redrive policy.
    for logical_id, props in sorted(queues.items(), key=lambda item: "RedrivePolicy" in item[1]):
        attributes = {"VisibilityTimeout": str(props.get("VisibilityTimeout", 30))}
        redrive = props.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["GetAtt"].split(".")[0]
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": refs[f"{target}.Arn"],
                                                      "maxReceiveCount": str(redrive["maxReceiveCount"])})
        url = sqs.create_queue(QueueName=f"{STACK}-{logical_id}", Attributes=attributes)["QueueUrl"]
        refs[logical_id] = url
        refs[f"{logical_id}.Arn"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]

    kms = session.client("kms", region_name=REGION)
    for logical_id, props in resources("AWS::KMS::Key").items():
        key = kms.create_key(KeySpec=props["KeySpec"], KeyUsage=props["KeyUsage"], Description=props["Description"])
        refs[logical_id] = key["KeyMetadata"]["KeyId"]

    session.client("ses", region_name=REGION).verify_email_identity(EmailAddress=refs["SenderAddress"])
    # moto takes ConfigurationSetName and EmailTags on SendEmail (and ignores both); its SES v2 has no
    # event destinations, so SES events reach the dev server through POST /_local/events instead.
    sesv2 = session.client("sesv2", region_name=REGION)
    for logical_id, props in resources("AWS::SES::ConfigurationSet").items():
        refs[logical_id] = str(props.get("Name") or f"{STACK}-{logical_id}")
        sesv2.create_configuration_set(ConfigurationSetName=refs[logical_id])
    environment = {name: _resolve(value, refs) for name, value in environment_variables().items()}
    return environment | {f"QUEUE_URL_{logical_id}": refs[logical_id] for logical_id in queues}


def _resolve(value: Any, refs: dict[str, str]) -> str:
    if isinstance(value, dict) and "Ref" in value:
        return refs[value["Ref"]]
    if isinstance(value, dict) and "Sub" in value:
        text: str = value["Sub"]
        for name, resolved in refs.items():
            text = text.replace("${" + name + "}", resolved)
        return text
    return str(value)


def make_dynamodb_writes_atomic() -> None:
    """DynamoDB applies each write, and each transaction, atomically; moto's server checks a
    transaction's conditions and then applies it without a lock, so two racing transactions can
    both pass. One lock around moto's writes restores DynamoDB's guarantee on the dev server,
    where races are tested over HTTP."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_atomic", False):
            continue

        def atomic(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(*args, **kwargs)

        atomic._atomic = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, atomic)


def make_moto_dynamodb_fast() -> None:
    """Two costs of moto's DynamoDB that grow with the table, which customers' score of search
    index items makes large: every transaction backs up each table it touches, whole, once per
    item of the transaction (here it backs up only the items it names, and puts them back if it
    fails); and every comparison of two key values converts both first (here two strings, what
    every key here is, compare as they are, as moto would after converting them)."""
    import copy

    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items
    if getattr(original, "_cheap", False):
        return
    _compare_strings_directly(DynamoType)

    class _TablesNotCopied:
        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = _TablesNotCopied()  # type: ignore[assignment]

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            operation = next(iter(entry.values()))
            table = self.get_table(operation["TableName"])
            key = operation.get("Key") or operation["Item"]
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
        try:
            original(self, transact_items)
        except Exception:
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
    for name, compare in (("__eq__", operator.eq), ("__lt__", operator.lt), ("__le__", operator.le),
                          ("__gt__", operator.gt), ("__ge__", operator.ge)):
        original = getattr(dynamo_type, name)

        def fast(self: Any, other: Any, _original: Any = original, _compare: Any = compare) -> Any:
            if self.type == "S" and getattr(other, "type", None) == "S":
                return _compare(self.value, other.value)
            return _original(self, other)

        setattr(dynamo_type, name, fast)
    dynamo_type.__hash__ = lambda self: hash((self.type, self.value if self.type == "S" else self.cast_value))
