"""The publisher: the outbox table's stream (new items only) feeds it, and it puts each outbox
item on Handover's event bus, ten to a PutEvents call. A record it could not publish is reported
back, so the stream hands it over again (and the records after it: consumers drop repeats by
`detail.id`)."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import rehearsals, snapshot, tracing
from handover.events.publisher import OutboxBatchProcessor
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return serve(event, context)


def serve(event: dict, context: LambdaContext | None = None) -> dict:
    """What the handler does, below its decorators (whose first call is the cold start they report)."""
    publisher = runtime().publisher
    processor = OutboxBatchProcessor(publisher)
    response = process_partial_response(event=event, record_handler=publisher.entry, processor=processor,
                                        context=context)
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=processor.published)
    metrics.add_metric(name="EventsNotPublished", unit=MetricUnit.Count, value=len(processor.fail_messages))
    if processor.fail_messages:
        logger.warning("events not published; the stream hands them over again", extra={"reasons": processor.reasons})
    return dict(response)


snapshot.prepare(None, "publisher", rehearsal=lambda: serve(rehearsals.outbox_stream()))
