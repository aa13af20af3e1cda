"""The hosted pages (HTML, no token): GET and POST /claim and /reset, POST /fresh-link, GET and
POST /forgot and /login, GET and POST /account, POST /account/password and /account/sign-out,
and GET /pages/{asset} (their script and styles)."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.errors import HandoverError
from handover.pages.assets import asset
from handover.pages.requests import PageRequest
from handover.pages.views import error_page
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver(other_types=("application/x-www-form-urlencoded",))
# Pages answer failures with HTML, not the API's problem+json.
app.exception_handler(HandoverError)(error_page)
app.exception_handler(Exception)(error_page)
snapshot.prepare(app, "authenticator", "pages", queries={"/claim": "token=snapshot", "/reset": "token=snapshot",
                                                        "/forgot": "account=snapshot", "/login": "account=snapshot"})


def request() -> PageRequest:
    return PageRequest.of(app.current_event.raw_event)


@app.get("/claim", include_in_schema=False)
@app.get("/reset", include_in_schema=False)
def link_page() -> Response[str]:
    return runtime().pages.links.open(request())


@app.post("/claim", include_in_schema=False)
def claim() -> Response[str]:
    response = runtime().pages.links.submit("invite", request())
    metrics.add_metric(name="PageSubmissions", unit=MetricUnit.Count, value=1)
    return response


@app.post("/reset", include_in_schema=False)
def reset() -> Response[str]:
    response = runtime().pages.links.submit("reset", request())
    metrics.add_metric(name="PageSubmissions", unit=MetricUnit.Count, value=1)
    return response


@app.post("/fresh-link", include_in_schema=False)
def fresh_link() -> Response[str]:
    return runtime().pages.links.renew(request())


@app.get("/forgot", include_in_schema=False)
def forgot_page() -> Response[str]:
    return runtime().pages.sign_in.forgot(request())


@app.post("/forgot", include_in_schema=False)
def forgot() -> Response[str]:
    return runtime().pages.sign_in.send_reset(request())


@app.get("/login", include_in_schema=False)
def login_page() -> Response[str]:
    return runtime().pages.sign_in.login(request())


@app.post("/login", include_in_schema=False)
def login() -> Response[str]:
    return runtime().pages.sign_in.sign_in(request())


@app.get("/account", include_in_schema=False)
def account_page() -> Response[str]:
    return runtime().pages.account.show(request())


@app.post("/account", include_in_schema=False)
def update_account() -> Response[str]:
    return runtime().pages.account.update_profile(request())


@app.post("/account/password", include_in_schema=False)
def change_password() -> Response[str]:
    return runtime().pages.account.change_password(request())


@app.post("/account/sign-out", include_in_schema=False)
def sign_out() -> Response[str]:
    return runtime().pages.account.sign_out(request())


@app.get("/pages/<name>", include_in_schema=False)
def page_asset(name: str) -> Response[str]:
    return asset(name, request().query)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
