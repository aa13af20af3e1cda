"""GET /openapi.json and GET /docs: the OpenAPI document of every route of every function
(generated from their resolvers by `make openapi`, shipped beside this file) and Swagger UI."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
import json
from functools import cache
from pathlib import Path

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web

DOCUMENT = Path(__file__).with_name("openapi.json")

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
app = web.build_resolver()
snapshot.prepare(app)


@cache
def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@cache
def swagger_page() -> str:
    import aws_lambda_powertools.event_handler.openapi.swagger_ui as swagger_ui

    assets = Path(swagger_ui.__file__).parent
    spec = json.dumps(json.loads(document())).replace("</", "<\\/")
    return generate_swagger_html(spec, (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
                                 (assets / "swagger-ui.min.css").read_text(encoding="utf-8"), "", None)


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=document())


@app.get("/docs", include_in_schema=False)
def docs() -> Response[str]:
    return Response(status_code=200, content_type="text/html", body=swagger_page())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
