"""GET/PATCH /v1/settings and GET/PUT /v1/settings/custom-fields: the owner keeps the business's
settings (portal, email branding, link lifetimes, password profile, login return origins) and the
custom fields of its customers' profiles."""

from handover import coldstart  # noqa: F401 - first of all: what follows loads with the collector paused

# isort: split
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from handover import snapshot, tracing, web
from handover.contract.settings import CustomFieldDefinitions, SettingsEnvelope, SettingsPatch
from handover.identity.callers import Caller
from handover.runtime import runtime

logger = Logger()
tracer = Tracer(patch_modules=tracing.PATCHED)
metrics = Metrics()
app = web.build_resolver()
snapshot.prepare(app, "authenticator", "business_settings", "idempotency")


@app.get("/v1/settings", tags=["settings"], security=web.BEARER, summary="The business's settings",
         responses=web.documented(200, SettingsEnvelope, 401, 403))
@tracer.capture_method
def read_settings(caller: Annotated[Caller, Depends(web.owner)]) -> SettingsEnvelope:
    return runtime().business_settings.read(caller)


@app.patch("/v1/settings", tags=["settings"], security=web.BEARER,
           summary="Change some of the business's settings (null clears an optional one)",
           responses=web.documented(200, SettingsEnvelope, 400, 401, 403, 404, 413, 415, 422, 423))
@tracer.capture_method
def change_settings(
    body: SettingsPatch,
    caller: Annotated[Caller, Depends(web.owner)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> SettingsEnvelope:
    answer = runtime().idempotency.once(
        idempotency_key, caller, "settings", body.model_dump(mode="json", exclude_unset=True),
        lambda receipt: runtime().business_settings.change(caller, body, receipt).model_dump(mode="json"))
    return SettingsEnvelope.model_validate(answer)


@app.get("/v1/settings/custom-fields", tags=["settings"], security=web.BEARER,
         summary="The custom fields of the business's customer profiles",
         responses=web.documented(200, CustomFieldDefinitions, 401, 403))
@tracer.capture_method
def read_custom_fields(caller: Annotated[Caller, Depends(web.owner)]) -> CustomFieldDefinitions:
    return runtime().business_settings.fields(caller)


@app.put("/v1/settings/custom-fields", tags=["settings"], security=web.BEARER,
         summary="Replace the custom field definitions (stored values stay as they are)",
         responses=web.documented(200, CustomFieldDefinitions, 400, 401, 403, 404, 413, 415, 422, 423))
@tracer.capture_method
def replace_custom_fields(
    body: CustomFieldDefinitions,
    caller: Annotated[Caller, Depends(web.owner)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> CustomFieldDefinitions:
    answer = runtime().idempotency.once(
        idempotency_key, caller, "custom-fields", body.model_dump(mode="json", exclude_none=True),
        lambda receipt: runtime().business_settings.replace_fields(caller, body.fields, receipt)
        .model_dump(mode="json", exclude_none=True))
    return CustomFieldDefinitions.model_validate(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
