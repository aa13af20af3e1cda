"""Creates every AWS resource that template.yaml declares, in moto, and computes the environment
the functions would see in Lambda. Table definitions come from the template itself. Locally all
functions share one process environment, so each function's own variables are set for all of
them (two functions may not give one variable different values)."""

from __future__ import annotations

import base64
import json
import logging
import operator
import os
import socket
import threading
from typing import Any

import boto3

from local.template import environment_variables, function_variables, resources, template

STACK = "handover-local"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account


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
    if props.get("StreamSpecification"):
        request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return request


def references(parameters: dict[str, str] | None = None) -> dict[str, str]:
    """What the template's names resolve to before any resource exists: the pseudo parameters, the
    parameters (their defaults, then `parameters`) and the event buses, which the template names."""
    refs: dict[str, str] = {"AWS::StackName": STACK, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                            "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
    for name, spec in template().get("Parameters", {}).items():
        refs[name] = str(spec.get("Default", ""))
    refs.update(parameters or {})
    for logical_id, props in resources("AWS::Events::EventBus").items():
        refs[logical_id] = refs[f"{logical_id}.Name"] = resolve(props["Name"], refs)
        refs[f"{logical_id}.Arn"] = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{refs[logical_id]}"
    return refs


def create_resources(session: boto3.session.Session, parameters: dict[str, str] | None = None) -> dict[str, str]:
    """Create the tables (with their streams), the queues, the buckets, the event buses, the signing
    key (and read its public half, as the stack's custom resource does), the sender identity and the
    email configuration set; return the function environment, with `QUEUE_URL_<queue logical id>`,
    `STREAM_ARN_<table logical id>` and `BUCKET_<bucket logical id>` added for the local triggers."""
    refs = references(parameters)
    dynamodb = session.client("dynamodb", region_name=REGION)
    streams = {}
    for logical_id, props in resources("AWS::DynamoDB::Table").items():
        request = _table_request(logical_id, props)
        table = dynamodb.create_table(**request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=request["TableName"], TimeToLiveSpecification=ttl)
        refs[logical_id] = request["TableName"]
        refs[f"{logical_id}.Arn"] = table["TableArn"]
        if "LatestStreamArn" in table:
            refs[f"{logical_id}.StreamArn"] = streams[logical_id] = table["LatestStreamArn"]

    sqs = session.client("sqs", region_name=REGION)
    queues = resources("AWS::SQS::Queue")
    # Dead-letter queues first: the others name them in their redrive policy.
    for logical_id, props in sorted(queues.items(), key=lambda item: "RedrivePolicy" in item[1]):
        attributes = {"VisibilityTimeout": str(props.get("VisibilityTimeout", 30))}
        redrive = props.get("RedrivePolicy")
        if redrive:
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": resolve(redrive["deadLetterTargetArn"],
                                                                                     refs),
                                                      "maxReceiveCount": str(redrive["maxReceiveCount"])})
        url = sqs.create_queue(QueueName=f"{STACK}-{logical_id}", Attributes=attributes)["QueueUrl"]
        refs[logical_id] = url
        refs[f"{logical_id}.Arn"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]

    s3 = session.client("s3", region_name=REGION)
    buckets = resources("AWS::S3::Bucket")
    for logical_id, props in buckets.items():
        refs[logical_id] = name = resolve(props["BucketName"], refs)
        refs[f"{logical_id}.Arn"] = f"arn:aws:s3:::{name}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})

    events = session.client("events", region_name=REGION)
    for logical_id in resources("AWS::Events::EventBus"):
        refs[f"{logical_id}.Arn"] = events.create_event_bus(Name=refs[logical_id])["EventBusArn"]

    kms = session.client("kms", region_name=REGION)
    for logical_id, props in resources("AWS::KMS::Key").items():
        key = kms.create_key(KeySpec=props["KeySpec"], KeyUsage=props["KeyUsage"], Description=props["Description"])
        refs[logical_id] = key["KeyMetadata"]["KeyId"]
    for logical_id, props in resources("Custom::TokenPublicKey").items():  # what its reader function answers
        der = kms.get_public_key(KeyId=resolve(props["KeyId"], refs))["PublicKey"]
        refs[f"{logical_id}.PublicKey"] = base64.b64encode(der).decode("ascii")

    session.client("ses", region_name=REGION).verify_email_identity(EmailAddress=refs["SenderAddress"])
    # moto takes ConfigurationSetName and EmailTags on SendEmail (and ignores both); its SES v2 has no
    # event destinations, so SES events reach the dev server through POST /_local/events instead.
    sesv2 = session.client("sesv2", region_name=REGION)
    for logical_id, props in resources("AWS::SES::ConfigurationSet").items():
        refs[logical_id] = str(props.get("Name") or f"{STACK}-{logical_id}")
        sesv2.create_configuration_set(ConfigurationSetName=refs[logical_id])
    environment = {name: resolve(value, refs) for name, value in environment_variables().items()}
    for logical_id, variables in function_variables().items():
        for name, value in variables.items():
            resolved = resolve(value, refs)
            if environment.setdefault(name, resolved) != resolved:
                raise ValueError(f"{logical_id} gives {name} a value of its own, which one shared local environment"
                                 " cannot hold")
    return (environment | {f"QUEUE_URL_{logical_id}": refs[logical_id] for logical_id in queues}
            | {f"STREAM_ARN_{logical_id}": arn for logical_id, arn in streams.items()}
            | {f"BUCKET_{logical_id}": refs[logical_id] for logical_id in buckets})


def resolve(value: Any, refs: dict[str, str]) -> str:
    """One template value: a plain value, !Ref, !GetAtt or !Sub."""
    if isinstance(value, dict) and "Ref" in value:
        return refs[value["Ref"]]
    if isinstance(value, dict) and "GetAtt" in value:
        attribute = value["GetAtt"]
        return refs[attribute if isinstance(attribute, str) else ".".join(attribute)]
    if isinstance(value, dict) and "Sub" in value:
        text: str = value["Sub"]
        for name, resolved in refs.items():
            text = text.replace("${" + name + "}", resolved)
        return text
    return str(value)


def resolve_all(value: Any, refs: dict[str, str]) -> Any:
    """A template structure (an event pattern, say) with every !Ref, !GetAtt and !Sub in it resolved."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Ref", "GetAtt", "Sub"):
        return resolve(value, refs)
    if isinstance(value, dict):
        return {key: resolve_all(inner, refs) for key, inner in value.items()}
    if isinstance(value, list):
        return [resolve_all(inner, refs) for inner in value]
    return value


def make_moto_dynamodb_atomic() -> None:
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


def make_moto_dynamodb_fast() -> None:
    """Two costs of moto's DynamoDB that grow with the table, which customers' score of search
    index items makes large: every transaction backs up each table it touches, whole, once per
    item of the transaction (here it backs up only the items it names, and puts them back if it
    fails, taking back the stream records it wrote too); and every comparison of two key values
    converts both first (here two strings, what every key here is, compare as they are, as moto
    would after converting them)."""
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
    for name, compare in (("__eq__", operator.eq), ("__lt__", operator.lt), ("__le__", operator.le),
                          ("__gt__", operator.gt), ("__ge__", operator.ge)):
        original = getattr(dynamo_type, name)

        def fast(self: Any, other: Any, _original: Any = original, _compare: Any = compare) -> Any:
            if self.type == "S" and getattr(other, "type", None) == "S":
                return _compare(self.value, other.value)
            return _original(self, other)

        setattr(dynamo_type, name, fast)
    dynamo_type.__hash__ = lambda self: hash((self.type, self.value if self.type == "S" else self.cast_value))


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_aws() -> Any:
    """moto's server on loopback, and the environment that points boto3 at it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    make_moto_dynamodb_fast()
    make_moto_dynamodb_atomic()
    keep_presigned_put_bodies()
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    os.environ.update({
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
    })
    return moto
