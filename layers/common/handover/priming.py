"""SnapStart's priming (handover/snapshot.py): a function's routes and workers exercised before
the snapshot, with nothing leaving the process.

`prime` sends one synthetic request per route through the resolver: where tokens are verified,
once with a token of each realm, signed by a key made for the occasion (`StandInSigner`) and
trusted only meanwhile; with the route's sample body or query string where it takes one without
a token. `answered_here` answers every AWS call meanwhile where it would be sent, as a call that
found nothing is answered, so the SDK does all it does for a real call and each request goes as
far as a request about nobody goes; `rehearse_operations` then calls every operation of a client
once with the least its validation takes, for those no request reached. `quiet` keeps the log
empty meanwhile."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl

from handover.runtime import Runtime

if TYPE_CHECKING:
    from handover.identity.signer import StandInSigner

_PLACEHOLDER = re.compile(r"<[^>]+>")
_REALMS: tuple[Literal["operator", "staff", "customer"], ...] = ("customer", "staff", "operator")
_ANSWERED = "handover-priming-answered"
ANSWERED_HEADER = "x-handover-answered-in-process"  # on the replies priming makes up
_ANSWERING = contextvars.ContextVar("handover_priming_answering", default=False)


@dataclass(frozen=True)
class Samples:
    """What priming's request to a route carries, by the route's path."""

    bodies: Mapping[str, dict[str, Any]]
    queries: Mapping[str, str]


def prime(app: Any, built: Runtime, verifies_tokens: bool, samples: Samples) -> None:
    """Synthetic requests to every route, answered by the resolver (validation, dependencies, the
    route and its response model). Where tokens are verified, each request carries a token of one
    realm after the other, signed by a key made for the occasion and trusted only meanwhile: the
    authentication runs through to its read of the principal, who is nobody, and the request ends
    in a 401."""
    from handover.identity.signer import StandInSigner

    stand_in = StandInSigner(built.settings.token_key_id) if verifies_tokens else None
    bearers = [None] if stand_in is None else [_token(built, stand_in, realm) for realm in _REALMS]
    with _trusting(built, stand_in):
        for route in [*app._static_routes, *app._dynamic_routes]:
            # What the request validation builds on a route's first request (its parameters' and
            # body's models, the response's), which a refusal would stop short of.
            _validation_built(route.dependant)
            path = _PLACEHOLDER.sub("snapshot", route.path)
            for bearer in bearers:
                request = _request(route.method, path, bearer, samples.bodies.get(route.path, {}),
                                   samples.queries.get(route.path, ""))
                app.resolve(request, _Context())
    import jmespath
    from aws_lambda_powertools.logging.correlation_paths import API_GATEWAY_HTTP

    jmespath.compile(API_GATEWAY_HTTP)  # the handler's correlation id, parsed on first use and kept


def _validation_built(dependant: Any) -> None:
    """Builds the validation of each parameter, the body and the response of a route (its
    dependencies' parameters too, as Powertools flattens them). Powertools makes a pydantic
    TypeAdapter for each, which defers its build while the model it adapts does
    (handover/models.py): the first request that validates the body, or the first answer that is
    not a refusal, would build it (1-3 ms for a route). Validating nothing builds it."""
    from aws_lambda_powertools.event_handler.openapi.params import get_flat_dependant

    flat = get_flat_dependant(dependant)
    for field in (*flat.path_params, *flat.query_params, *flat.header_params, *flat.cookie_params,
                  *flat.body_params, dependant.return_param):
        if field is not None:
            field.validate(None)


@contextlib.contextmanager
def answered_here(built: Runtime) -> Iterator[None]:
    """Every AWS call the runtime's clients make (and those of any client made meanwhile) is
    answered in the process, where it would be sent, as a call that found nothing is answered.
    The SDK does for it all it does for a real call (endpoint rules, signing, parsing the reply,
    its events), which a first real call of each operation would otherwise do for the first
    time; nothing leaves the process.

    The answering handler stays registered, and answers nothing once this ends: taking it away
    would empty each client's cache of the handlers an event name has, which every event of a
    restored function's first request would then fill again."""
    answers = [(built.session.get_component("event_emitter"), None), *((client.meta.events, client.meta.service_model)
                                                for client in built.clients)]
    for emitter, service in answers:  # once: a second registration under the same id is ignored
        emitter.register_first("before-send", functools.partial(_nothing_found, service), unique_id=_ANSWERED)
    answering = _ANSWERING.set(True)
    try:
        yield
    finally:
        _ANSWERING.reset(answering)


def _nothing_found(service: Any, request: Any, event_name: str, **_: Any) -> Any:
    """A success with nothing in it: each list and map at the reply's top level empty (as DynamoDB
    answers a read of nothing: `{"Responses": {}}`), but for a list the request has too, which
    gets an empty item for each item sent (PutEvents answers each entry); no other member. Outside
    `answered_here`, nothing: the call goes on to AWS."""
    if not _ANSWERING.get():
        return None
    from botocore.awsrequest import AWSResponse

    body = b""
    if service is not None and service.protocol in ("json", "rest-json"):
        shape = service.operation_model(event_name.rsplit(".", 1)[-1]).output_shape
        if shape is not None and "payload" not in shape.serialization:
            sent = json.loads(request.body or b"{}")
            body = json.dumps({name: [{} for _item in sent.get(name, [])] if member.type_name == "list" else {}
                               for name, member in shape.members.items()
                               if member.type_name in ("list", "map") and "location" not in member.serialization
                               }).encode()
    return AWSResponse(request.url, 200, {ANSWERED_HEADER: "1"}, _Body(body))


def rehearse_operations(client: Any) -> list[str]:
    """Calls every operation of the client once (in `answered_here`), with only the parameters
    its validation requires, each the least it takes. A request about nobody stops at its first
    read (a reset's at the unknown email, a worker's at a job nobody started), so the operations
    after it would meet a restored function's first real request new: the SDK names their events
    and finds their handlers, builds their parameters and their endpoint's, and parses their
    reply, for each operation the first time (about 0.4 ms each here). Returns the operations whose
    call failed (S3's GetBucketLocation: an empty reply is not its XML)."""
    model, failed = client.meta.service_model, []
    for name in model.operation_names:
        operation = model.operation_model(name)
        shape = operation.input_shape
        try:
            client._make_api_call(name, _least(shape) if shape is not None else {})
        except Exception:  # a rehearsal: what it reached before failing is done
            failed.append(name)
        for tree in (shape, operation.output_shape, *operation.error_shapes):
            _resolved(tree)
    return failed


def _resolved(shape: Any, path: tuple[str, ...] = ()) -> None:
    """Resolves the shapes nested in a request's or a reply's shape, as serialising real
    parameters and parsing a real reply would (each made on first use and kept by its parent),
    to the depth of a shape nested once in itself (a DynamoDB attribute value in an item)."""
    if shape is None or path.count(shape.name) == 2:
        return
    shape.serialization  # noqa: B018 - made on first use and kept, as the members are
    nested: list[Any] = []
    if shape.type_name == "structure":
        nested = list(shape.members.values())
    elif shape.type_name == "list":
        nested = [shape.member]
    elif shape.type_name == "map":
        nested = [shape.key, shape.value]
    for member in nested:
        _resolved(member, (*path, shape.name))


def _least(shape: Any) -> Any:
    """The least value of a shape that botocore's parameter validation passes: a structure's
    required members (a union's first), a list of its minimum length, the shortest string."""
    kind, least = shape.type_name, int(shape.metadata.get("min", 0))
    if kind == "structure":
        names = shape.required_members or (list(shape.members)[:1] if shape.metadata.get("union") else [])
        return {name: _least(shape.members[name]) for name in names}
    if kind == "list":
        return [_least(shape.member) for _ in range(least)]
    if kind == "string":
        return shape.enum[0] if shape.enum else "x" * max(least, 1)
    return {"map": {}, "integer": least, "long": least, "float": float(least), "double": float(least),
            "boolean": False, "blob": b"x" * max(least, 1),
            "timestamp": datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)}.get(kind)


class _Body:
    """The raw stream of a reply made up here, as botocore reads one (whole, or streamed)."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        return iter((self._content,))

    def read(self, *_: Any) -> bytes:
        content, self._content = self._content, b""
        return content


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No log records: the priming's refusals and answers are nobody's."""
    before = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(before)


def _token(built: Runtime, stand_in: StandInSigner, realm: Literal["operator", "staff", "customer"]) -> str:
    """An access token of `realm` for a principal nobody has, signed by the stand-in."""
    from handover.identity.sessions import Sessions

    sessions = Sessions(stand_in, issuer=built.settings.token_issuer, audience=built.settings.token_audience,
                        lifetime=built.settings.access_token_seconds)
    account = None if realm == "operator" else "snapshot"
    return sessions.issue(realm=realm, sub="snapshot", acct=account, role=realm, perms=[], ver=0,
                          acct_ver=0 if realm == "staff" else None).access_token


@contextlib.contextmanager
def _trusting(built: Runtime, stand_in: StandInSigner | None) -> Iterator[None]:
    """The service's signer verifies tokens with the stand-in's key for the duration."""
    if stand_in is None:
        yield
        return
    built.signer.public_key = stand_in.public_key  # type: ignore[method-assign]
    try:
        yield
    finally:
        del built.signer.public_key


def _request(method: str, path: str, bearer: str | None, body: dict[str, Any], query: str) -> dict[str, Any]:
    headers = {"content-type": "application/json", "user-agent": "handover-snapshot"}
    if bearer:
        headers["authorization"] = f"Bearer {bearer}"
    parameters = dict(parse_qsl(query))
    return {"version": "2.0", "routeKey": f"{method} {path}", "rawPath": path, "rawQueryString": query,
            "headers": headers, **({"queryStringParameters": parameters} if parameters else {}),
            "requestContext": {"http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                        "sourceIp": "127.0.0.1", "userAgent": "handover-snapshot"},
                               "requestId": "snapshot", "routeKey": f"{method} {path}", "stage": "$default"},
            "body": json.dumps(body) if method in ("POST", "PUT", "PATCH") else None, "isBase64Encoded": False}


class _Context:
    function_name = "snapshot"
    memory_limit_in_mb = 1024
    aws_request_id = "snapshot"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:000000000000:function:snapshot"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000
