"""The HTTP edge shared by every function: the resolver, problem+json for every error (the one
place errors become HTTP), and the dependencies that authenticate callers."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import _DEPENDS_CACHE_KEY
from aws_lambda_powertools.event_handler.depends import build_dependency_tree, solve_dependencies
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.request import Request
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from pydantic import BaseModel

from handover import errors
from handover.contract.common import Problem
from handover.identity.callers import Caller, require_customer, require_operator, require_owner, require_staff
from handover.runtime import runtime

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 64 * 1024
# OpenAPI `security` of routes that need an access token (the scheme is declared by local/openapi.py).
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
logger = Logger(child=True)


class _HideRouteArguments(logging.Filter):
    """Powertools logs every route's arguments at DEBUG; for GET /v1/auth/links/{token} that is a
    link token, so those records never leave the process."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Calling API Route Handler")


logging.getLogger("aws_lambda_powertools.event_handler.api_gateway").addFilter(_HideRouteArguments())


def problem(status: int, code: str, title: str, detail: str | None = None, *,
            headers: Mapping[str, str] | None = None, **extra: Any) -> Response[str]:
    body = Problem(type=f"urn:handover:problem:{code}", title=title, status=status, detail=detail or title,
                   code=code, **extra)
    return Response(status_code=status, content_type=PROBLEM_JSON, headers=dict(headers or {}),
                    body=body.model_dump_json(exclude_none=True))


def problem_from(error: errors.HandoverError) -> Response[str]:
    if error.status >= 500:
        logger.warning("dependency failed", extra={"code": error.code})
    return problem(error.status, error.code, error.title, error.detail, headers=error.headers, **error.extra)


def _validation_problem(error: RequestValidationError) -> Response[str]:
    issues = error.errors()
    if any(issue.get("type") == "json_invalid" for issue in issues):
        return problem(400, "malformed_request", "The request body is not valid JSON")
    listed = [{"loc": [str(part) if not isinstance(part, int) else part for part in issue.get("loc", ())],
               "msg": str(issue.get("msg") or issue.get("type") or "invalid"), "type": issue.get("type")}
              for issue in issues]
    return problem(422, "validation_error", "The request is not valid", "Some fields are missing or invalid",
                   errors=listed)


def _unexpected(error: Exception) -> Response[str]:
    logger.exception("unhandled error")
    return problem(500, "internal_error", "Internal error", "Something went wrong on our side")


def _refused_body(event: dict[str, Any], max_bytes: int = MAX_BODY_BYTES,
                  other_types: tuple[str, ...] = ()) -> Response[str] | None:
    """Bodies over `max_bytes` (64 KB unless a route says otherwise), and bodies that are not JSON
    (nor one of the route's `other_types`), are refused before anything reads them, as API
    Gateway refuses a body over its own limit: what they are is plain from the request alone."""
    body = event.get("body") or ""
    if len(body) > max_bytes * (4 / 3 if event.get("isBase64Encoded") else 1):
        return problem_from(errors.PayloadTooLarge(f"The body must be at most {max_bytes} bytes"))
    content_type = content_type_of(event)
    if body and content_type not in other_types and content_type != "application/json" \
            and not content_type.endswith("+json"):
        return problem_from(errors.UnsupportedMediaType("Send the body as JSON with `Content-Type: application/json`"))
    return None


def _not_an_object(event: BaseProxyEvent, other_types: tuple[str, ...]) -> Response[str] | None:
    """JSON bodies that are not an object (every body of the API is one), which Powertools would
    otherwise read leniently (a list stands for its first item), are refused as the validation
    would refuse them. The body is parsed once: the event keeps it for the validation."""
    if not event.body or content_type_of(event.raw_event) in other_types:
        return None
    try:
        parsed = event.json_body
    except ValueError:  # not JSON, nor UTF-8, nor base64: the validation answers 400 malformed_request
        return None
    if parsed is not None and not isinstance(parsed, dict):
        return problem(422, "validation_error", "The request is not valid", "The body must be a JSON object",
                       errors=[{"loc": ["body"], "msg": "Input should be a JSON object", "type": "model_type"}])
    return None


class _CallerFirst(BaseMiddlewareHandler[Any]):
    """Runs before the request's validation: the route's dependencies first (every dependency here
    is who the caller is and what they may do), so that an anonymous or unauthorized caller gets
    401 or 403 and never learns the body's rules (Powertools validates before it resolves them).
    Their values are kept in the request's dependency cache, so the route does not resolve them
    again."""

    def __init__(self, validation: Callable[..., Any], other_types: tuple[str, ...]) -> None:
        self._validation = validation
        self._other_types = other_types

    def handler(self, app: Any, next_middleware: Any) -> Any:
        route = app.context.get("_route")
        if route is not None and route.has_dependencies:
            solve_dependencies(dependant=build_dependency_tree(route.func), request=app.request,
                               dependency_overrides=app.dependency_overrides or None,
                               dependency_cache=app.context.setdefault(_DEPENDS_CACHE_KEY, {}))
        refusal = _not_an_object(app.current_event, self._other_types)
        if refusal is not None:
            return refusal
        return self._validation(app, next_middleware)


def content_type_of(event: dict[str, Any]) -> str:
    """The request's media type, lower-cased, without parameters (JSON when none is given)."""
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    return str(headers.get("content-type") or "application/json").split(";")[0].strip().lower()


class Resolver(APIGatewayHttpResolver):
    """The Powertools resolver, refusing bodies too large or not JSON before anything reads them,
    and knowing the caller before it validates the request."""

    def __init__(self, *, max_body_bytes: int = MAX_BODY_BYTES, other_types: tuple[str, ...] = (),
                 **options: Any) -> None:
        super().__init__(**options)
        self.max_body_bytes = max_body_bytes
        self.other_types = other_types
        if hasattr(self, "_request_validation_middleware"):  # validation on: the caller comes first
            self._request_validation_middleware = _CallerFirst(  # type: ignore[assignment]
                self._request_validation_middleware, other_types)

    def resolve(self, event: dict[str, Any], context: Any) -> dict[str, Any]:  # type: ignore[override]
        refusal = _refused_body(event, self.max_body_bytes, self.other_types)
        if refusal is None:
            return super().resolve(event, context)
        return {"statusCode": refusal.status_code, "headers": {"Content-Type": PROBLEM_JSON},
                "body": refusal.body, "isBase64Encoded": False}


def build_resolver(*, max_body_bytes: int = MAX_BODY_BYTES, other_types: tuple[str, ...] = ()) -> Resolver:
    """The resolver of a function; a route that takes larger bodies, or bodies other than JSON
    (a CSV), says so here."""
    app = Resolver(enable_validation=True, max_body_bytes=max_body_bytes, other_types=other_types)
    app.exception_handler(errors.HandoverError)(problem_from)
    app.exception_handler(RequestValidationError)(_validation_problem)
    app.exception_handler(NotFoundError)(lambda _e: problem(404, "not_found", "Not found", "No such route"))
    app.exception_handler(UnicodeDecodeError)(
        lambda _e: problem(400, "malformed_request", "The request body is not valid UTF-8"))
    app.exception_handler(json.JSONDecodeError)(
        lambda _e: problem(400, "malformed_request", "The request body is not valid JSON"))
    app.exception_handler(Exception)(_unexpected)
    return app


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                               "schema": {"type": "integer", "minimum": 0}}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {
    "description": 'RFC 6750: `Bearer realm="handover"`, with `error="invalid_token"` when the request carried a'
                   " token, and an `error_description`", "schema": {"type": "string"}}}


def documented(status: int, model: type[BaseModel] | None, *error_statuses: int) -> dict[int, Any]:
    """OpenAPI `responses` of a route: its success and every problem+json status it can answer.
    422 (a parameter, header or body the validation refuses) and 503 (a failed dependency) are
    always possible; a 429 carries Retry-After, a 401 WWW-Authenticate."""
    # Without a model the success has no body at all (Powertools would otherwise document one).
    responses: dict[int, Any] = {status: {"description": HTTPStatus(status).phrase, "content": {}}}
    if model is not None:
        responses[status]["content"] = {"application/json": {"model": model}}
    for error_status in sorted({*error_statuses, 422, 503}):
        responses[error_status] = {"description": HTTPStatus(error_status).phrase,
                                   "content": {PROBLEM_JSON: {"model": Problem}}}
        if error_status == 429:
            responses[error_status]["headers"] = RETRY_AFTER
        if error_status == 401:
            responses[error_status]["headers"] = WWW_AUTHENTICATE
    return responses


def caller(request: Request) -> Caller:
    return runtime().authenticator.authenticate(request.headers.get("authorization"))


def staff_with(permission: str) -> Callable[[Request], Caller]:
    """A route dependency: a staff caller (or an impersonation of one) holding `permission`."""

    def dependency(request: Request) -> Caller:
        return require_staff(caller(request), permission)

    return dependency


def owner(request: Request) -> Caller:
    """A route dependency: the business's owner (or an operator logged in as them)."""
    return require_owner(caller(request))


def operator(request: Request) -> Caller:
    """A route dependency: a platform operator."""
    return require_operator(caller(request))


def customer(request: Request) -> Caller:
    return require_customer(caller(request))
