"""POST /v1/operator/accounts/{id}/login-as: an operator acts as the owner or a staff member,
for 15 minutes at most, marked in the token and written to the business's history."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.auth import AccessToken
from handover.contract.operators import LoginAsRequest
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "impersonation")


@app.post("/v1/operator/accounts/<id>/login-as", tags=["operator"], security=web.BEARER,
          summary="Log in as the owner (default) or a staff member",
          responses=web.documented(200, AccessToken, 400, 401, 403, 404, 413, 415, 422, 423))
@tracer.capture_method
def login_as(id: str, caller: Annotated[Caller, Depends(web.operator)],
             body: LoginAsRequest | None = None) -> AccessToken:
    token = runtime().impersonation.login_as(caller, id, body.staff_id if body else None,
                                             body.reason if body else None)
    metrics.add_metric(name="Impersonations", unit=MetricUnit.Count, value=1)
    return token


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
