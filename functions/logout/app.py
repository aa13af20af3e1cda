"""POST /v1/auth/logout: end the caller's session (or every session of theirs) at once."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.auth import LogoutRequest
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "session_book")


@app.post("/v1/auth/logout", status_code=204, tags=["auth"], security=web.BEARER, summary="Sign out",
          description="The session's access and refresh tokens are refused from the next request on; "
                      "`everywhere` ends every session of the caller. Ending a login-as is written to history.",
          responses=web.documented(204, None, 400, 401, 413, 415, 422))
@tracer.capture_method
def logout(caller: Annotated[Caller, Depends(web.caller)], body: LogoutRequest | None = None) -> Response[str]:
    runtime().session_book.log_out(caller, body.everywhere if body else False)
    metrics.add_metric(name="Logouts", unit=MetricUnit.Count, value=1)
    return Response(status_code=204, body="")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
