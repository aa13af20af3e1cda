"""The owner adds, changes and removes staff members and sends them their claim link again;
operators send a business's owner theirs (POST /v1/operator/accounts/{id}/owner/invite)."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from collections.abc import Callable
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends, Response
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.invites import InviteAccepted
from handover.contract.staff import AddStaffRequest, StaffCreated, StaffEnvelope, StaffPatch
from handover.data.links import LinkRecord
from handover.idempotency import Receipt
from handover.identity.callers import Caller
from handover.links.mail import sent_answer
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "idempotency", "staff_members")
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


@app.post("/v1/staff", status_code=201, tags=["staff"], security=web.BEARER,
          summary="Add a staff member and email them a claim link",
          responses=web.documented(201, StaffCreated, 400, 401, 403, 409, 413, 415, 422, 423))
@tracer.capture_method
def add_staff(body: AddStaffRequest, caller: Annotated[Caller, Depends(web.owner)],
              idempotency_key: IdempotencyKey = None) -> StaffCreated:
    def add(receipt: Receipt) -> dict:
        created = runtime().staff_members.add(caller, body, receipt)
        metrics.add_metric(name="StaffAdded", unit=MetricUnit.Count, value=1)
        return created.model_dump(mode="json")

    answer = runtime().idempotency.once(idempotency_key, caller, "add_staff", body.model_dump(mode="json"), add)
    return StaffCreated.model_validate(answer)


@app.patch("/v1/staff/<id>", tags=["staff"], security=web.BEARER,
           summary="Change a staff member's names or permissions (the owner keeps every permission)",
           responses=web.documented(200, StaffEnvelope, 400, 401, 403, 404, 409, 413, 415, 422, 423))
@tracer.capture_method
def change_staff(id: str, body: StaffPatch, caller: Annotated[Caller, Depends(web.owner)],
                 idempotency_key: IdempotencyKey = None) -> StaffEnvelope:
    answer = runtime().idempotency.once(
        idempotency_key, caller, f"staff:{id}", body.model_dump(mode="json", exclude_unset=True),
        lambda receipt: runtime().staff_members.change(caller, id, body, receipt).model_dump(mode="json"))
    return StaffEnvelope.model_validate(answer)


@app.delete("/v1/staff/<id>", status_code=204, tags=["staff"], security=web.BEARER,
            summary="Remove a staff member (their sessions end at once; never the owner)",
            responses=web.documented(204, None, 401, 403, 404, 409))
@tracer.capture_method
def remove_staff(id: str, caller: Annotated[Caller, Depends(web.owner)],
                 idempotency_key: IdempotencyKey = None) -> Response[str]:
    def remove(receipt: Receipt) -> dict:
        runtime().staff_members.remove(caller, id, receipt)
        return {}

    runtime().idempotency.once(idempotency_key, caller, f"staff-removal:{id}", {}, remove)
    return Response(status_code=204, body="")


@app.post("/v1/staff/<id>/invite", status_code=202, tags=["staff"], security=web.BEARER,
          summary="Email a staff member their claim link again (earlier links stop working)",
          responses=web.documented(202, InviteAccepted, 401, 403, 404, 409, 422))
@tracer.capture_method
def invite_staff(id: str, caller: Annotated[Caller, Depends(web.owner)],
                 idempotency_key: IdempotencyKey = None) -> InviteAccepted:
    return _invited_once(idempotency_key, caller, f"staff-invite:{id}",
                         lambda receipt: runtime().staff_members.invite(caller, id, receipt))


@app.post("/v1/operator/accounts/<id>/owner/invite", status_code=202, tags=["operator"], security=web.BEARER,
          summary="Email the business's owner their claim link (earlier links stop working)",
          responses=web.documented(202, InviteAccepted, 401, 403, 404, 409, 422, 423))
@tracer.capture_method
def invite_owner(id: str, caller: Annotated[Caller, Depends(web.operator)],
                 idempotency_key: IdempotencyKey = None) -> InviteAccepted:
    return _invited_once(idempotency_key, caller, f"owner-invite:{id}",
                         lambda receipt: runtime().staff_members.invite_owner(caller, id, receipt))


def _invited_once(key: str | None, caller: Caller, action: str,
                  send: Callable[[Receipt], LinkRecord]) -> InviteAccepted:
    """The invite `send` emails, once per Idempotency-Key."""

    def sent(receipt: Receipt) -> dict:
        link = send(receipt)
        metrics.add_metric(name="InvitesSent", unit=MetricUnit.Count, value=1)
        return sent_answer(link)

    return InviteAccepted.model_validate(runtime().idempotency.once(key, caller, action, {}, sent))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
