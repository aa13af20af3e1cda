"""POST /v1/customers/imports: staff import customers from a CSV or JSON rows (at most 5 MB);
the rows are queued for the import worker and the job answers at once."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
import base64
from typing import Annotated, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.jobs import ImportRequest, JobEnvelope, JobView
from handover.idempotency import Receipt
from handover.identity.callers import Caller
from handover.jobs.imports import MAX_BYTES, body_digest
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver(max_body_bytes=MAX_BYTES, other_types=("text/csv",))
snapshot.prepare(app, "authenticator", "idempotency", "imports")


@app.post("/v1/customers/imports", status_code=202, tags=["jobs"], security=web.BEARER,
          summary="Import customers (CSV or JSON rows)",
          description="A CSV (`Content-Type: text/csv`: UTF-8, a byte-order mark allowed, RFC 4180 quoting, a header "
                      "row naming `email`, `first_name`, `last_name`, `phone` and custom field keys) or `{rows: [...]}`"
                      ", at most 5 MB and 100,000 rows. Each row is checked as `POST /v1/customers` checks a body; "
                      "errors are read by row from `GET /v1/jobs/{id}/errors`. No email is sent to anyone imported.",
          openapi_extensions={"requestBody": {"required": True, "content": {
              "text/csv": {"schema": {"type": "string", "maxLength": MAX_BYTES}},
              "application/json": {"schema": ImportRequest.model_json_schema()}}}},
          responses=web.documented(202, JobEnvelope, 400, 401, 403, 413, 415))
@tracer.capture_method
def import_customers(
    caller: Annotated[Caller, Depends(web.staff_with("customers:write"))],
    dry_run: bool = False,
    on_existing: Literal["skip", "update"] = "skip",
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JobEnvelope:
    event = app.current_event
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8", "surrogateescape")
    content_type = web.content_type_of(event.raw_event)

    def start(receipt: Receipt) -> dict:
        job = runtime().imports.start(caller, body, content_type, dry_run=dry_run, on_existing=on_existing,
                                      receipt=receipt)
        metrics.add_metric(name="ImportRowsQueued", unit=MetricUnit.Count, value=job.total)
        return JobEnvelope(job=JobView.of(job)).model_dump(mode="json")

    answer = runtime().idempotency.once(idempotency_key, caller, "import_customers",
                                        {"body": body_digest(body), "dry_run": dry_run, "on_existing": on_existing},
                                        start)
    return JobEnvelope.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
