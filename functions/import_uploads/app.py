"""POST /v1/customers/imports/uploads: staff start an import from a file of up to 100 MB; the job
waits, queued, for the file to be PUT to the pre-signed URL answered (import_planner plans it)."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.jobs import JobView, UploadEnvelope, UploadRequest, UploadView
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "imports")


@app.post("/v1/customers/imports/uploads", status_code=201, tags=["jobs"], security=web.BEARER,
          summary="Import customers from an uploaded CSV (up to 100 MB)",
          description="Answers a job, queued until its file lands, and a pre-signed URL: PUT the CSV (as "
                      "`POST /v1/customers/imports` reads one, up to 100 MB and 100,000 rows) to it within 15 "
                      "minutes, e.g. `curl -T file.csv <url>`. A file that is not a UTF-8 CSV with an `email` "
                      "column ends the job `failed` with its `error`.",
          responses=web.documented(201, UploadEnvelope, 400, 401, 403, 413, 415, 422))
@tracer.capture_method
def upload_import(body: UploadRequest,
                  caller: Annotated[Caller, Depends(web.staff_with("customers:write"))]) -> UploadEnvelope:
    job, upload = runtime().imports.start_upload(caller, dry_run=body.dry_run, on_existing=body.on_existing)
    logger.info("import upload issued", extra={"job_id": job.id})
    expires_at = datetime.fromtimestamp(upload.expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return UploadEnvelope(job=JobView.of(job),
                          upload=UploadView(url=upload.url, method="PUT", headers={}, expires_at=expires_at))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
