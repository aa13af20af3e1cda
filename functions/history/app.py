"""GET /v1/operator/accounts/{id}/history: what operators (and anyone acting as someone else)
did to a business, newest first, six months kept."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.operators import HistoryItem, HistoryPage
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "history_reader")


@app.get("/v1/operator/accounts/<id>/history", tags=["operator"], security=web.BEARER,
         summary="A business's history, newest first",
         responses=web.documented(200, HistoryPage, 401, 403, 404, 422))
@tracer.capture_method
def history(id: str, caller: Annotated[Caller, Depends(web.operator)],
            limit: Annotated[int, Query(ge=1, le=100)] = 25,
            cursor: Annotated[str | None, Query(max_length=2048)] = None) -> HistoryPage:
    records, next_cursor = runtime().history_reader.page(caller, id, limit, cursor)
    return HistoryPage(items=[HistoryItem.of(record) for record in records], next_cursor=next_cursor)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
