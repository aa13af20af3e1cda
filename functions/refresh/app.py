"""POST /v1/auth/refresh: a refresh token buys a new access token and the next refresh token."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.auth import IssuedToken, RefreshRequest
from handover.identity.refresh import compose
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "session_book", bodies={
    "/v1/auth/refresh": {"refresh_token": compose("snapshot", "customer", "snapshot", "snapshot")}})


@app.post("/v1/auth/refresh", tags=["auth"], summary="Spend a refresh token for new tokens",
          description="The token presented is spent; presenting a spent one ends its whole session.",
          responses=web.documented(200, IssuedToken, 400, 401, 413, 415, 422, 423))
@tracer.capture_method
def refresh(body: RefreshRequest) -> IssuedToken:
    metrics.add_metric(name="RefreshAttempts", unit=MetricUnit.Count, value=1)
    return runtime().session_book.refresh(body.refresh_token.get_secret_value())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
