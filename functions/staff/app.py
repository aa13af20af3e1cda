"""GET /v1/staff and /v1/staff/{id}: the owner reads the business's staff (the owner among them);
GET /v1/operator/accounts/{id}/staff: an operator reads a business's staff."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.staff import StaffEnvelope, StaffPage, StaffView
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "staff_members")


@app.get("/v1/staff", tags=["staff"], security=web.BEARER, summary="The business's staff, the owner first",
         description="In the order they joined.", responses=web.documented(200, StaffPage, 401, 403))
@tracer.capture_method
def list_staff(
    caller: Annotated[Caller, Depends(web.owner)],
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> StaffPage:
    members, next_cursor = runtime().staff_members.page(caller, limit, cursor)
    return StaffPage(items=[StaffView.of(member) for member in members], next_cursor=next_cursor)


@app.get("/v1/staff/<id>", tags=["staff"], security=web.BEARER, summary="A staff member",
         responses=web.documented(200, StaffEnvelope, 401, 403, 404))
@tracer.capture_method
def get_staff(id: str, caller: Annotated[Caller, Depends(web.owner)]) -> StaffEnvelope:
    return StaffEnvelope(staff=StaffView.of(runtime().staff_members.visible(caller, id)))


@app.get("/v1/operator/accounts/<id>/staff", tags=["operator"], security=web.BEARER,
         summary="A business's staff, the owner first", description="In the order they joined.",
         responses=web.documented(200, StaffPage, 401, 403, 404))
@tracer.capture_method
def list_account_staff(
    id: str,
    caller: Annotated[Caller, Depends(web.operator)],
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> StaffPage:
    members, next_cursor = runtime().staff_members.page_for_operator(caller, id, limit, cursor)
    return StaffPage(items=[StaffView.of(member) for member in members], next_cursor=next_cursor)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
