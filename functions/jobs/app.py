"""GET /v1/jobs, GET /v1/jobs/{id}, GET /v1/jobs/{id}/errors and POST /v1/jobs/{id}/cancel: the
business's bulk work (imports), its exact counts and its errors by row."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.jobs import JobEnvelope, JobPage, JobView, RowErrorPage, RowErrorView
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "jobs")

JobId = Annotated[str, Path(min_length=1)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@app.get("/v1/jobs", tags=["jobs"], security=web.BEARER, summary="List jobs, newest first",
         responses=web.documented(200, JobPage, 401, 403))
@tracer.capture_method
def list_jobs(caller: Annotated[Caller, Depends(web.staff_with("customers:read"))], limit: Limit = 25,
              cursor: Cursor = None) -> JobPage:
    jobs, next_cursor = runtime().jobs.page(caller, limit, cursor)
    return JobPage(items=[JobView.of(job) for job in jobs], next_cursor=next_cursor)


@app.get("/v1/jobs/<id>", tags=["jobs"], security=web.BEARER, summary="A job and its counts",
         responses=web.documented(200, JobEnvelope, 401, 403, 404))
@tracer.capture_method
def get_job(id: JobId, caller: Annotated[Caller, Depends(web.staff_with("customers:read"))]) -> JobEnvelope:
    return JobEnvelope(job=JobView.of(runtime().jobs.visible(caller, id)))


@app.get("/v1/jobs/<id>/errors", tags=["jobs"], security=web.BEARER, summary="A job's row errors, in row order",
         description="Kept as long as the job (30 days).",
         responses=web.documented(200, RowErrorPage, 401, 403, 404))
@tracer.capture_method
def job_errors(id: JobId, caller: Annotated[Caller, Depends(web.staff_with("customers:read"))], limit: Limit = 25,
               cursor: Cursor = None) -> RowErrorPage:
    errors, next_cursor = runtime().jobs.errors(caller, id, limit, cursor)
    return RowErrorPage(items=[RowErrorView.of(error) for error in errors], next_cursor=next_cursor)


@app.post("/v1/jobs/<id>/cancel", tags=["jobs"], security=web.BEARER, summary="Cancel a job",
          description="Rows not yet processed are not processed.",
          responses=web.documented(200, JobEnvelope, 401, 403, 404, 409))
@tracer.capture_method
def cancel_job(id: JobId, caller: Annotated[Caller, Depends(web.staff_with("customers:write"))]) -> JobEnvelope:
    return JobEnvelope(job=JobView.of(runtime().jobs.cancel(caller, id)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
