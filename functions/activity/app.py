"""GET /v1/operator/accounts/{id}/activity: a business's last months of bookings and payments, its
onboarding checklist and the sites its booking widget was seen on, for operators."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.activity import ActivityView
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "account_activity")


@app.get("/v1/operator/accounts/<id>/activity", tags=["operator"], security=web.BEARER,
         summary="A business's activity: months, onboarding, sites",
         description="The last 3 calendar months (UTC, the current one included) oldest first, each with the "
                     "bookings and payments the platform reported, counted as its events arrived; the onboarding "
                     "checklist (its steps are the platform's setting) and whether the business is still in "
                     "setup; the sites its booking widget was seen on. A secure business needs an operator with "
                     "the Secure role (403 `secure_account`).",
         responses=web.documented(200, ActivityView, 401, 403, 404))
@tracer.capture_method
def activity(id: str, caller: Annotated[Caller, Depends(web.operator)]) -> ActivityView:
    return runtime().account_activity.view(caller, id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
