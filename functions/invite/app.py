"""POST /v1/customers/{id}/invite: email the customer a claim link; a resend revokes every
earlier invite link."""

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
from handover.contract.customers import InviteRequest
from handover.contract.invites import InviteAccepted
from handover.idempotency import Receipt
from handover.identity.callers import Caller
from handover.links.mail import sent_answer
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "customers", "idempotency")


@app.post("/v1/customers/<id>/invite", status_code=202, tags=["customers"], security=web.BEARER,
          summary="Send or resend the invite",
          responses=web.documented(202, InviteAccepted, 400, 401, 403, 404, 409, 413, 415, 422, 423))
@tracer.capture_method
def invite(
    id: str,
    caller: Annotated[Caller, Depends(web.staff_with("customers:write"))],
    body: InviteRequest | None = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> InviteAccepted:
    email = body.email if body else None

    def send(receipt: Receipt) -> dict:
        link = runtime().customers.send_link(caller, id, "invite", email, receipt)
        metrics.add_metric(name="InvitesSent", unit=MetricUnit.Count, value=1)
        return sent_answer(link)

    answer = runtime().idempotency.once(idempotency_key, caller, f"invite:{id}", {"email": email}, send)
    return InviteAccepted.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
