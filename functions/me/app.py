"""GET /v1/me: the signed-in customer's own profile and bookings."""

from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import web
from handover.contract.customers import CustomerDetail
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = web.build_resolver()


@app.get("/v1/me", tags=["customer"], security=web.BEARER, summary="The signed-in customer",
         responses=web.documented(200, CustomerDetail, 401, 403))
@tracer.capture_method
def me(caller: Annotated[Caller, Depends(web.customer)]) -> CustomerDetail:
    customer, bookings = runtime().customers.own_profile(caller)
    return CustomerDetail.of(customer, bookings)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
