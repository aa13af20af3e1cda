"""The import worker: each SQS message is a batch of an import's rows (jobs/import_rows.py). A
batch that fails is reported back and retried alone; its rows done already are not done again."""

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
    message = json.loads(record.body)
    applied = runtime().import_rows.apply(message)
    logger.info("import batch applied", extra={"job_id": message["job_id"], "rows": len(message["rows"]),
                                               "applied": applied})
    metrics.add_metric(name="ImportRowsApplied", unit=MetricUnit.Count, value=applied)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return serve(event, context)


def serve(event: dict, context: LambdaContext | None = None) -> dict:
    """What the handler does, below its decorators (whose first call is the cold start they report)."""
    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)


snapshot.prepare(None, "import_rows", rehearsal=lambda: serve(rehearsals.sqs(
    {"account_id": rehearsals.NOBODY, "job_id": rehearsals.NOBODY,
     "rows": [{"row": 2, "data": {"csv": True, "email": rehearsals.ADDRESS}}]})))
