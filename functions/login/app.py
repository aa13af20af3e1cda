"""POST /v1/auth/login: operators, staff and customers sign in."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.auth import IssuedToken, LoginRequest
from handover.errors import InvalidCredentials
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "logins", bodies={"/v1/auth/login": {"realm": "customer", "account": "snapshot",
                                                           "email": "snapshot@example.com", "password": "snapshot"}})


@app.post("/v1/auth/login", tags=["auth"], summary="Sign in and receive an access token",
          responses=web.documented(200, IssuedToken, 400, 401, 403, 413, 415, 422, 423, 429))
@tracer.capture_method
def login(body: LoginRequest) -> IssuedToken:
    try:
        token = runtime().logins.login(body.realm, body.account, body.email, body.password.get_secret_value())
    except InvalidCredentials:
        metrics.add_metric(name="LoginsFailed", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name="Logins", unit=MetricUnit.Count, value=1)
    return token


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
