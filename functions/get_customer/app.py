"""GET /v1/customers/{id}: a customer of the caller's business with their newest bookings, and
GET /v1/customers/{id}/bookings: all of them, newest first, page by page."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.customers import BookingPage, BookingView, CustomerDetail
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "customers")


@app.get("/v1/customers/<id>", tags=["customers"], security=web.BEARER, summary="Read a customer and their bookings",
         responses=web.documented(200, CustomerDetail, 401, 403, 404))
@tracer.capture_method
def get_customer(id: str, caller: Annotated[Caller, Depends(web.staff_with("customers:read"))]) -> CustomerDetail:
    customer, bookings = runtime().customers.detail(caller, id)
    return CustomerDetail.of(customer, bookings)


@app.get("/v1/customers/<id>/bookings", tags=["customers"], security=web.BEARER,
         summary="A customer's bookings, newest first", responses=web.documented(200, BookingPage, 401, 403, 404))
@tracer.capture_method
def customer_bookings(id: str, caller: Annotated[Caller, Depends(web.staff_with("customers:read"))],
                      limit: Annotated[int, Query(ge=1, le=100)] = 25,
                      cursor: Annotated[str | None, Query(max_length=2048)] = None) -> BookingPage:
    bookings, next_cursor = runtime().customers.bookings(caller, id, limit, cursor)
    return BookingPage(items=[BookingView.of(booking) for booking in bookings], next_cursor=next_cursor)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
