"""PATCH /v1/operator/accounts/{id}: what operators keep on a client business (tags, note,
nickname, link sending, secure, template, package, staff slots, assigned operators)."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.operators import AccountEnvelope, AccountPatch
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "client_accounts", "idempotency")


@app.patch("/v1/operator/accounts/<id>", tags=["operator"], security=web.BEARER,
           summary="Change what operators keep on a client business",
           description="Renaming the nickname frees the old one in the same transaction (409 `nickname_taken` "
                       "when another business has the new one); `staff_slots` below the staff count is 409 "
                       "`staff_limit_reached`; only an operator with the Secure role may change `secure`. "
                       "`null` clears `note` or `send_links`.",
           responses=web.documented(200, AccountEnvelope, 400, 401, 403, 404, 409, 413, 415, 422))
@tracer.capture_method
def update_account(
    id: str,
    body: AccountPatch,
    caller: Annotated[Caller, Depends(web.operator)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> AccountEnvelope:
    answer = runtime().idempotency.once(
        idempotency_key, caller, f"update_account:{id}", body.model_dump(mode="json", exclude_unset=True),
        lambda receipt: AccountEnvelope(account=runtime().client_accounts.change(caller, id, body, receipt))
        .model_dump(mode="json"))
    return AccountEnvelope.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
