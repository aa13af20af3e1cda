"""POST /v1/customers/invites: staff invite many customers at once (by ids, or every customer with
a status); the customers are queued for the invite worker and the job answers at once."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.jobs import InvitesRequest, JobEnvelope
from handover.idempotency import Receipt
from handover.identity.callers import Caller
from handover.jobs.jobs import answer
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "idempotency", "invites")


@app.post("/v1/customers/invites", status_code=202, tags=["jobs"], security=web.BEARER,
          summary="Invite many customers (a job)",
          description="`{ids}` (1..1000 distinct, an unknown one counts as failed with `not_found`) or `{status}` "
                      "(every customer with it; `invited` resends). One invite per customer with the single "
                      "invite's rules (a resend revokes older links); claimed, locked and undeliverable customers "
                      "are skipped. Sent no faster than the configured send rate.",
          responses=web.documented(202, JobEnvelope, 400, 401, 403, 413, 415, 422))
@tracer.capture_method
def invite_customers(
    body: InvitesRequest,
    caller: Annotated[Caller, Depends(web.staff_with("customers:write"))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JobEnvelope:
    def start(receipt: Receipt) -> dict:
        job = runtime().invites.start(caller, body, receipt)
        metrics.add_metric(name="InvitesQueued", unit=MetricUnit.Count, value=job.total)
        return answer(job)

    reply = runtime().idempotency.once(idempotency_key, caller, "invite_customers",
                                       body.model_dump(mode="json"), start)
    return JobEnvelope.model_validate(reply)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
