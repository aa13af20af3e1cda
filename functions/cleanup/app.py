"""The daily cleanup (EventBridge schedule): removes expired history entries, links and sessions that
DynamoDB TTL has not removed yet, re-derives the businesses' statuses the calendar moved, and
reports how many as metrics."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from dataclasses import asdict

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
snapshot.prepare(None, "cleanup", rehearsal=lambda: runtime().cleanup.run())


@logger.inject_lambda_context
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    report = runtime().cleanup.run()
    metrics.add_metric(name="HistoryEntriesRemoved", unit=MetricUnit.Count, value=report.history_removed)
    metrics.add_metric(name="LinksRemoved", unit=MetricUnit.Count, value=report.links_removed)
    metrics.add_metric(name="SessionItemsRemoved", unit=MetricUnit.Count, value=report.sessions_removed)
    metrics.add_metric(name="AccountsSettled", unit=MetricUnit.Count, value=report.accounts_settled)
    logger.info("cleanup done", extra=asdict(report))
    return asdict(report)
