"""The platform's events (EventBridge rule on its bus): bookings, cancellations, payments, widget
sightings and onboarding steps, each kept once. An event that can never be kept is logged and
dropped (the handler returns, so EventBridge does not retry it); a failing dependency raises, so
Lambda retries it and then keeps it in the dead-letter queue."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import rehearsals, snapshot, tracing
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
    outcome = runtime().platform_events.receive(event)
    (logger.warning if outcome.dropped else logger.info)("platform event handled", extra=outcome.log_fields())
    metrics.add_metric(name=f"PlatformEvents_{outcome.result}", unit=MetricUnit.Count, value=1)
    return {"result": outcome.result}


snapshot.prepare(None, "platform_events", rehearsal=lambda: serve(rehearsals.platform_booking()))
