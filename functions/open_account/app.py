"""POST /v1/operator/accounts: an operator opens a client business with its owner (unclaimed),
perhaps from a template (its package, staff slots, tags, settings and custom fields)."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.operators import AccountEnvelope, CreateAccountRequest
from handover.idempotency import Receipt
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "client_accounts", "idempotency")


@app.post("/v1/operator/accounts", status_code=201, tags=["operator"], security=web.BEARER,
          summary="Open a client business with its owner",
          responses=web.documented(201, AccountEnvelope, 400, 401, 403, 404, 409, 413, 415, 422))
@tracer.capture_method
def open_account(
    body: CreateAccountRequest,
    caller: Annotated[Caller, Depends(web.operator)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> AccountEnvelope:
    def create(receipt: Receipt) -> dict:
        account = runtime().client_accounts.create(caller, body, receipt)
        metrics.add_metric(name="AccountsOpened", unit=MetricUnit.Count, value=1)
        return AccountEnvelope(account=account).model_dump(mode="json")

    answer = runtime().idempotency.once(idempotency_key, caller, "open_account", body.model_dump(mode="json"), create)
    return AccountEnvelope.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
