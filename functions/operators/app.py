"""GET /v1/operator/operators: every operator, for assigning them to businesses."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.operators import OperatorPage, OperatorView
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "operators")


@app.get("/v1/operator/operators", tags=["operator"], security=web.BEARER,
         summary="The operators, in the order they were added",
         description="Every operator, with or without the Secure role, for assigning them to businesses.",
         responses=web.documented(200, OperatorPage, 401, 403, 422))
@tracer.capture_method
def operators(caller: Annotated[Caller, Depends(web.operator)], limit: Annotated[int, Query(ge=1, le=100)] = 25,
              cursor: Annotated[str | None, Query(max_length=2048)] = None) -> OperatorPage:
    entries, next_cursor = runtime().operators.page(caller, limit, cursor)
    return OperatorPage(items=[OperatorView(**entry.model_dump()) for entry in entries], next_cursor=next_cursor)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
