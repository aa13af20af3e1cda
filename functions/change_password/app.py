"""PUT /v1/me/password: a signed-in customer changes their password (the current one first);
every other session of theirs ends and a fresh token comes back."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.auth import ChangePasswordRequest, IssuedToken
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "self_service")


@app.put("/v1/me/password", tags=["customer"], security=web.BEARER, summary="Change your password",
         description="Every other session ends; the answer is a fresh token.",
         responses=web.documented(200, IssuedToken, 400, 401, 403, 413, 415, 422, 423, 429))
@tracer.capture_method
def change_password(body: ChangePasswordRequest, caller: Annotated[Caller, Depends(web.customer)]) -> IssuedToken:
    token = runtime().self_service.change_password(caller, body.current_password.get_secret_value(),
                                                   body.new_password.get_secret_value())
    metrics.add_metric(name="PasswordsChanged", unit=MetricUnit.Count, value=1)
    return token


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
