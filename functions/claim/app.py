"""GET /v1/auth/links/{token} and POST /v1/auth/claim: a customer claims the account an invite
link points to, setting a password and so verifying the email."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.auth import ClaimRequest, IssuedToken, LinkInfo
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "claiming", bodies={"/v1/auth/claim": {"token": "snapshot", "password": "snapshot"}})


@app.get("/v1/auth/links/<token>", tags=["auth"], summary="What an emailed link is for",
         responses=web.documented(200, LinkInfo, 410, 423))
@tracer.capture_method
def read_link(token: str) -> LinkInfo:
    return runtime().claiming.describe_link(token)


@app.post("/v1/auth/claim", tags=["auth"], summary="Claim an account with an invite link and a new password",
          responses=web.documented(200, IssuedToken, 400, 410, 413, 415, 422, 423))
@tracer.capture_method
def claim(body: ClaimRequest) -> IssuedToken:
    token = runtime().claiming.claim_account(body.token.get_secret_value(), body.password.get_secret_value())
    metrics.add_metric(name="Claims", unit=MetricUnit.Count, value=1)
    return token


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
