"""POST /v1/customers: staff create a customer profile on the customer's behalf (no email
unless `invite: true`); earlier bookings with the same email attach to it."""

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
from handover.contract.customers import CreateCustomerRequest, CustomerCreated
from handover.idempotency import Receipt
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "customers", "idempotency")


@app.post("/v1/customers", status_code=201, tags=["customers"], security=web.BEARER, summary="Create a customer",
          responses=web.documented(201, CustomerCreated, 400, 401, 403, 409, 413, 415, 422))
@tracer.capture_method
def create_customer(
    body: CreateCustomerRequest,
    caller: Annotated[Caller, Depends(web.staff_with("customers:write"))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> CustomerCreated:
    def create(receipt: Receipt) -> dict:
        created = runtime().customers.create(caller, body, receipt)
        metrics.add_metric(name="CustomersCreated", unit=MetricUnit.Count, value=1)
        return created.model_dump(mode="json")

    answer = runtime().idempotency.once(idempotency_key, caller, "create_customer", body.model_dump(mode="json"),
                                        create)
    return CustomerCreated.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
