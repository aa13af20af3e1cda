"""The worker behind forgot-password: each SQS message is one request; a reset link goes to an
existing customer or staff member, everything else is dropped silently. A failed send is
reported back, so SQS retries that message alone."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
import json

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import rehearsals, snapshot, tracing
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def handle(record: SQSRecord) -> None:
    outcome = runtime().resets.send_requested_link(json.loads(record.body))
    logger.info("reset request handled", extra={"outcome": outcome})
    metrics.add_metric(name=f"ResetRequests_{outcome}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return serve(event, context)


def serve(event: dict, context: LambdaContext | None = None) -> dict:
    """What the handler does, below its decorators (whose first call is the cold start they report)."""
    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)


snapshot.prepare(None, "resets", rehearsal=lambda: serve(rehearsals.sqs(
    {"realm": "customer", "account": rehearsals.NOBODY, "email": rehearsals.ADDRESS, "requested_at": 0})))
