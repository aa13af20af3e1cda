"""Locks: staff lock and unlock customers; operators lock and unlock whole businesses. Live
sessions of whoever is locked die on their next request."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.common import LockRequest
from handover.contract.customers import CustomerEnvelope, CustomerView
from handover.contract.operators import AccountEnvelope
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "client_accounts", "locks")


@app.post("/v1/customers/<id>/lock", tags=["customers"], security=web.BEARER, summary="Lock a customer",
          responses=web.documented(200, CustomerEnvelope, 400, 401, 403, 404, 413, 415, 422))
@tracer.capture_method
def lock_customer(id: str, caller: Annotated[Caller, Depends(web.staff_with("customers:write"))],
                  body: LockRequest | None = None) -> CustomerEnvelope:
    customer = runtime().locks.lock_customer(caller, id, body.reason if body else None)
    metrics.add_metric(name="CustomersLocked", unit=MetricUnit.Count, value=1)
    return CustomerEnvelope(customer=CustomerView.of(customer))


@app.post("/v1/customers/<id>/unlock", tags=["customers"], security=web.BEARER, summary="Unlock a customer",
          responses=web.documented(200, CustomerEnvelope, 400, 401, 403, 404, 413, 415, 422))
@tracer.capture_method
def unlock_customer(id: str, caller: Annotated[Caller, Depends(web.staff_with("customers:write"))],
                    body: LockRequest | None = None) -> CustomerEnvelope:
    customer = runtime().locks.unlock_customer(caller, id)
    return CustomerEnvelope(customer=CustomerView.of(customer))


@app.post("/v1/operator/accounts/<id>/lock", tags=["operator"], security=web.BEARER, summary="Lock a business",
          responses=web.documented(200, AccountEnvelope, 400, 401, 403, 404, 413, 415, 422))
@tracer.capture_method
def lock_account(id: str, caller: Annotated[Caller, Depends(web.operator)],
                 body: LockRequest | None = None) -> AccountEnvelope:
    account = runtime().locks.set_account_lock(caller, id, True, body.reason if body else None)
    metrics.add_metric(name="AccountsLocked", unit=MetricUnit.Count, value=1)
    return AccountEnvelope(account=runtime().client_accounts.view(account))


@app.post("/v1/operator/accounts/<id>/unlock", tags=["operator"], security=web.BEARER, summary="Unlock a business",
          responses=web.documented(200, AccountEnvelope, 400, 401, 403, 404, 413, 415, 422))
@tracer.capture_method
def unlock_account(id: str, caller: Annotated[Caller, Depends(web.operator)],
                   body: LockRequest | None = None) -> AccountEnvelope:
    account = runtime().locks.set_account_lock(caller, id, False, None)
    return AccountEnvelope(account=runtime().client_accounts.view(account))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
