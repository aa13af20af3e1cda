"""The cold-start baseline: the libraries every Handover function imports (Powertools resolver,
Logger, Tracer, Metrics, boto3, pydantic, jwt), one trivial route, and nothing else.

Variants are shown for information only (the goal compares against the plain baseline):
BENCH_VALIDATION=1 turns on the resolver's request validation, as handover.web does;
BENCH_AWS=1 makes the route create a DynamoDB client and read one item, the least any function
that touches DynamoDB on its first request does; both together are the floor of every function
that validates its request and reads DynamoDB. BENCH_PAUSED=1 loads the floor as a function
loads (handover/coldstart.py): the garbage collector paused, then what was made frozen."""

import gc
import os

if os.environ.get("BENCH_PAUSED") == "1":
    gc.disable()

import boto3
import jwt  # noqa: F401 - imported as every function imports it
import pydantic  # noqa: F401
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayHttpResolver(enable_validation=os.environ.get("BENCH_VALIDATION") == "1")


@app.get("/bench/ping")
def ping() -> dict:
    if os.environ.get("BENCH_AWS") == "1":
        dynamodb = boto3.session.Session().client("dynamodb")
        dynamodb.get_item(TableName=os.environ["DIRECTORY_TABLE"], Key={"pk": {"S": "BENCH"}, "sk": {"S": "PING"}})
    return {"ok": True}


if os.environ.get("BENCH_PAUSED") == "1":
    gc.freeze()
    gc.enable()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
