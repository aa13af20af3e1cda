"""GET /v1/me and PATCH /v1/me: the signed-in customer's own profile (and bookings); they may
change their phone and the custom fields the business lets them edit."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.customers import CustomerDetail, CustomerEnvelope, OwnProfileUpdate
from handover.idempotency import Receipt
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "customers", "idempotency", "profile_editor")


@app.get("/v1/me", tags=["customer"], security=web.BEARER, summary="The signed-in customer",
         responses=web.documented(200, CustomerDetail, 401, 403))
@tracer.capture_method
def me(caller: Annotated[Caller, Depends(web.customer)]) -> CustomerDetail:
    customer, bookings = runtime().customers.own_profile(caller)
    return CustomerDetail.of(customer, bookings)


@app.patch("/v1/me", tags=["customer"], security=web.BEARER, summary="Change your own phone or custom fields",
           description="Names and email are the business's: naming them answers 403 `field_not_editable` and "
                       "changes nothing.",
           responses=web.documented(200, CustomerEnvelope, 400, 401, 403, 413, 415, 422))
@tracer.capture_method
def update_me(body: OwnProfileUpdate, caller: Annotated[Caller, Depends(web.customer)],
              idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> CustomerEnvelope:
    def update(receipt: Receipt) -> dict:
        return runtime().profile_editor.own_update(caller, body, receipt).model_dump(mode="json")

    answer = runtime().idempotency.once(idempotency_key, caller, "update_me",
                                        body.model_dump(mode="json", exclude_unset=True), update)
    return CustomerEnvelope.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
