"""SES delivery, bounce and complaint events (EventBridge, default bus): recorded on the link the
email carried and on the customer's last_link; a permanent bounce or a complaint makes the address
undeliverable for everyone using it. A malformed event is logged and dropped; a failed dependency
raises, so the event is delivered again (what was already recorded is skipped by conditions)."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import rehearsals, snapshot, tracing
from handover.mail.ses_events import SesMailEvent
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
    try:
        ses_event = parse(event=event, model=SesMailEvent)
    except ValidationError as error:
        # Where the event is wrong, never what it holds (addresses are personal data); retrying cannot mend it.
        problems = [{"loc": list(problem["loc"]), "type": problem["type"]} for problem in error.errors()]
        logger.warning("malformed SES event dropped", extra={"problems": problems})
        metrics.add_metric(name="DeliveryEventsMalformed", unit=MetricUnit.Count, value=1)
        return {"recorded": False}
    report = runtime().deliverability.record(ses_event)
    outcome = {"recorded": report.ours, "delivery": report.delivery, "link_changed": report.link_changed,
               "last_link_changed": report.last_link_changed, "marked_undeliverable": report.marked_undeliverable}
    logger.info("SES event handled", extra={"event_id": ses_event.id, **outcome})
    metrics.add_metric(name=f"DeliveryEvents_{report.delivery}", unit=MetricUnit.Count, value=1)
    if report.marked_undeliverable:
        metrics.add_metric(name="AddressesUndeliverable", unit=MetricUnit.Count, value=report.marked_undeliverable)
    return outcome


snapshot.prepare(None, "deliverability", rehearsal=lambda: serve(rehearsals.ses_delivery()))
