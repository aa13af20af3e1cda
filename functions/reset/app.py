"""Password resets: forgot-password and the reset link (customers and staff), staff sending a
customer a reset link or setting the password directly, and operators sending an owner a link."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends, Response
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.auth import ForgotPasswordAccepted, ForgotPasswordRequest, IssuedToken, ResetPasswordRequest
from handover.contract.customers import PasswordResetRequest, SetPasswordRequest
from handover.contract.invites import InviteAccepted
from handover.identity.callers import Caller
from handover.links.mail import sent_answer
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "claiming", "customers", "idempotency", "resets",
                 bodies={"/v1/auth/password/forgot": {"realm": "customer", "account": "snapshot",
                                                      "email": "snapshot@example.com"},
                         "/v1/auth/password/reset": {"token": "snapshot", "password": "snapshot"}})


@app.post("/v1/auth/password/forgot", status_code=202, tags=["auth"], summary="Ask for a password reset link",
          description="Always 202 with the same body, whether or not the email exists.",
          responses=web.documented(202, ForgotPasswordAccepted, 400, 413, 415, 422, 429))
@tracer.capture_method
def forgot_password(body: ForgotPasswordRequest) -> ForgotPasswordAccepted:
    source = app.current_event.request_context.http.source_ip
    runtime().resets.request(body.realm, body.account, body.email, source)
    return ForgotPasswordAccepted()


@app.post("/v1/auth/password/reset", tags=["auth"], summary="Set a new password with a reset link",
          responses=web.documented(200, IssuedToken, 400, 410, 413, 415, 422, 423))
@tracer.capture_method
def reset_password(body: ResetPasswordRequest) -> IssuedToken:
    token = runtime().claiming.reset_password(body.token.get_secret_value(), body.password.get_secret_value())
    metrics.add_metric(name="PasswordResets", unit=MetricUnit.Count, value=1)
    return token


@app.post("/v1/customers/<id>/password-reset", status_code=202, tags=["customers"], security=web.BEARER,
          summary="Email the customer a reset link (for an unclaimed customer: add a password)",
          responses=web.documented(202, InviteAccepted, 400, 401, 403, 404, 409, 413, 415, 422, 423))
@tracer.capture_method
def send_password_reset(
    id: str,
    caller: Annotated[Caller, Depends(web.staff_with("customers:write"))],
    body: PasswordResetRequest | None = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> InviteAccepted:
    email = body.email if body else None
    answer = runtime().idempotency.once(
        idempotency_key, caller, f"reset:{id}", {"email": email},
        lambda receipt: sent_answer(runtime().customers.send_link(caller, id, "reset", email, receipt)))
    return InviteAccepted.model_validate(answer)


@app.put("/v1/customers/<id>/password", status_code=204, tags=["customers"], security=web.BEARER,
         summary="Set the customer's password (every session of theirs ends)",
         responses=web.documented(204, None, 400, 401, 403, 404, 413, 415, 422, 423))
@tracer.capture_method
def set_password(id: str, body: SetPasswordRequest,
                 caller: Annotated[Caller, Depends(web.staff_with("customers:write"))]) -> Response[str]:
    runtime().customers.set_password(caller, id, body.password.get_secret_value())
    return Response(status_code=204, body="")


@app.post("/v1/operator/accounts/<id>/owner/password-reset", status_code=202, tags=["operator"],
          security=web.BEARER, summary="Email the business's owner a reset link",
          responses=web.documented(202, InviteAccepted, 401, 403, 404, 423))
@tracer.capture_method
def send_owner_reset(
    id: str,
    caller: Annotated[Caller, Depends(web.operator)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> InviteAccepted:
    answer = runtime().idempotency.once(
        idempotency_key, caller, f"owner-reset:{id}", {},
        lambda receipt: sent_answer(runtime().resets.send_owner_reset(caller, id, receipt)))
    return InviteAccepted.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
