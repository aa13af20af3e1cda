"""GET /v1/customers: the business's customers in name order, searched by a prefix of a name or
the email, filtered by status, page by page."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.customers import CustomerPage, CustomerView
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "customer_directory")


@app.get("/v1/customers", tags=["customers"], security=web.BEARER, summary="Search and list customers",
         description="Sorted by last name, then first name. `q` is a case- and accent-insensitive prefix of the "
                     "first name, the last name, the full name or the email.",
         responses=web.documented(200, CustomerPage, 401, 403))
@tracer.capture_method
def list_customers(
    caller: Annotated[Caller, Depends(web.staff_with("customers:read"))],
    q: Annotated[str | None, Query(max_length=254)] = None,
    status: Literal["unclaimed", "invited", "active", "locked"] | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> CustomerPage:
    customers, next_cursor = runtime().customer_directory.page(caller, q, status, limit, cursor)
    return CustomerPage(items=[CustomerView.of(customer) for customer in customers], next_cursor=next_cursor)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
