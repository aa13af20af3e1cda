"""POST /v1/operator/accounts/{id}/setup-complete: an operator ends a business's "in setup",
on the record."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.operators import AccountEnvelope
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "client_accounts", "onboarding")


@app.post("/v1/operator/accounts/<id>/setup-complete", tags=["operator"], security=web.BEARER,
          summary="Mark a business as set up",
          description="Sets `in_setup` to false, written to the business's history with the operator in the same "
                      "transaction. Completing a business already set up answers 200 and records nothing. A locked "
                      "business may be marked too. A secure business needs an operator with the Secure role (403 "
                      "`secure_account`).",
          responses=web.documented(200, AccountEnvelope, 401, 403, 404))
@tracer.capture_method
def setup_complete(id: str, caller: Annotated[Caller, Depends(web.operator)]) -> AccountEnvelope:
    account = runtime().onboarding.complete_setup(caller, id)
    return AccountEnvelope(account=runtime().client_accounts.view(account))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
