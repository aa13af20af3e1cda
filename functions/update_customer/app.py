"""PATCH /v1/customers/{id}: staff change a customer's names, phone, custom fields or email; a
changed email is unique in the business, revokes outstanding links and clears verification."""

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
from handover.contract.customers import CustomerEnvelope, UpdateCustomerRequest
from handover.idempotency import Receipt
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "idempotency", "profile_editor")


@app.patch("/v1/customers/<id>", tags=["customers"], security=web.BEARER, summary="Change a customer's profile",
           responses=web.documented(200, CustomerEnvelope, 400, 401, 403, 404, 409, 413, 415, 422))
@tracer.capture_method
def update_customer(
    id: str,
    body: UpdateCustomerRequest,
    caller: Annotated[Caller, Depends(web.staff_with("customers:write"))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> CustomerEnvelope:
    def update(receipt: Receipt) -> dict:
        updated = runtime().profile_editor.staff_update(caller, id, body, receipt)
        metrics.add_metric(name="CustomersUpdated", unit=MetricUnit.Count, value=1)
        return updated.model_dump(mode="json")

    answer = runtime().idempotency.once(idempotency_key, caller, f"update_customer:{id}",
                                        body.model_dump(mode="json", exclude_unset=True), update)
    return CustomerEnvelope.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
