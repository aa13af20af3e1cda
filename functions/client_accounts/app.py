"""GET /v1/operator/accounts and GET /v1/operator/accounts/{id}: the operators' roll of client
businesses (counts by status, filtered by status, tag, a query or their own assignments) and one
business."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.operators import AccountEnvelope, AccountPage
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "client_accounts")


@app.get("/v1/operator/accounts", tags=["operator"], security=web.BEARER,
         summary="Client businesses: counts by status, and a page of them in name order",
         description="`q` is a case- and accent-insensitive prefix of the name, the nickname or the owner's "
                     "email; `tag` keeps the businesses with that tag, `mine=true` those assigned to the caller. "
                     "Use at most one of `q`, `tag` and `mine` (422 `filters_not_combinable`), each with or "
                     "without `status`. A secure business is listed to an operator without the Secure role as "
                     "`restricted` (its id, name, nickname, status and lock only).",
         responses=web.documented(200, AccountPage, 401, 403, 422))
@tracer.capture_method
def list_accounts(
    caller: Annotated[Caller, Depends(web.operator)],
    status: Literal["new", "active", "inactive", "locked"] | None = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=254)] = None,
    mine: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AccountPage:
    return runtime().client_accounts.page(caller, status=status, tag=tag, q=q, mine=mine, limit=limit, cursor=cursor)


@app.get("/v1/operator/accounts/<id>", tags=["operator"], security=web.BEARER, summary="A client business",
         responses=web.documented(200, AccountEnvelope, 401, 403, 404))
@tracer.capture_method
def read_account(id: str, caller: Annotated[Caller, Depends(web.operator)]) -> AccountEnvelope:
    return AccountEnvelope(account=runtime().client_accounts.get(caller, id))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
