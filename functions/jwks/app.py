"""GET /.well-known/jwks.json: the public key that verifies every access token."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.auth import Jwks
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "signer", public_key=True)


@app.get("/.well-known/jwks.json", tags=["auth"], summary="Token verification keys (JWKS)",
         cache_control="public, max-age=3600", responses=web.documented(200, Jwks))
@tracer.capture_method
def jwks() -> Jwks:
    return Jwks.model_validate({"keys": [runtime().signer.jwk()]})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
