"""An uploaded import file landed (S3 ObjectCreated under imports/): read it once, check its shape,
and queue its rows for the import worker, or end its job `failed` (jobs/imports.py). S3 may
deliver an event twice; only the delivery that moves the job from queued to running plans it."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import rehearsals, snapshot, tracing
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return serve(event, context)


@event_source(data_class=S3Event)
def serve(event: S3Event, context: LambdaContext | None = None) -> dict:
    """What the handler does, below its decorators (whose first call is the cold start they report)."""
    rt = runtime()
    outcomes = []
    for record in event.records:
        key = unquote_plus(record.s3.get_object.key)  # S3 sends keys URL-encoded
        if record.s3.bucket.name != rt.settings.import_upload_bucket:
            logger.warning("an object of another bucket", extra={"bucket": record.s3.bucket.name})
            outcomes.append("ignored")
            continue
        outcome = rt.imports.plan_upload(key, record.s3.get_object.size or 0)
        logger.info("import upload planned", extra={"key": key, "outcome": outcome})
        metrics.add_metric(name=f"ImportUploads{outcome.capitalize()}", unit=MetricUnit.Count, value=1)
        outcomes.append(outcome)
    return {"outcomes": outcomes}


snapshot.prepare(None, "imports",
                 rehearsal=lambda: serve(rehearsals.upload(runtime().settings.import_upload_bucket), None))
