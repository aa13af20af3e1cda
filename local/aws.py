"""Creates every AWS resource that template.yaml declares, in moto, and computes the environment
the functions would see in Lambda. Table definitions come from the template itself. Locally all
functions share one process environment, so each function's own variables are set for all of
them (two functions may not give one variable different values)."""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
from typing import Any

import boto3

from local import moto_patches
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_aws() -> Any:
    """moto's server on loopback, and the environment that points boto3 at it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto_patches.make_dynamodb_fast()
    moto_patches.make_dynamodb_atomic()
    moto_patches.list_services_once()
    moto_patches.keep_presigned_put_bodies()
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
