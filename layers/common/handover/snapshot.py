"""SnapStart: what a function does before Lambda snapshots its initialised environment, and what
it renews after each restore.

A function says what its routes use, once, next to its resolver:

    snapshot.prepare(app, "claiming", bodies={"/v1/auth/claim": {"token": "snapshot", "password": "snapshot"}})

and a worker, what it does with a synthetic event (handover/rehearsals.py):

    snapshot.prepare(None, "publisher", rehearsal=lambda: serve(rehearsals.outbox_stream()))

A part of the runtime that builds more on first use than its constructor does (the hosted pages:
each page's parts and their templates; the mailer: its templates) offers a `before_snapshot()`,
which the hook calls on every part it built.

Nothing runs at import: `prepare` only registers the hooks. Before the snapshot (when a version
is published with SnapStart on) the hook builds those parts of the runtime with their AWS
clients (each operation's shapes and the client's exception classes too), loads the token key's
public half where tokens are verified, loads the email address validation, builds each route's
request validation, and rehearses: one synthetic request per route through the resolver (with a
token of each realm where tokens are verified, signed by a key made for the occasion and trusted
only meanwhile; with the route's sample body where it takes one without a token), or the
worker's rehearsal. Every AWS call they make is answered in the process as a call that found
nothing is answered, after the SDK has done all it does for a real call, so each goes as far as
a request about nobody goes (the authentication's read of its principal, a link's read, a job's)
and nothing leaves the process; nothing is logged meanwhile, and no metric is kept. Last, once
every module is loaded, it asks the type checks a first request asks (is a `str` a `Mapping`?),
whose first answers are slow. After a restore the other hook reseeds `random` and drops the
clients' pooled connections, which belonged to the environment the snapshot was taken in;
credentials come from Lambda's container endpoint under SnapStart and refresh themselves.

Lambda's runtime provides `snapshot_restore_py`; elsewhere (tests, the dev server, `make bench`)
the hooks go to a local registry that `run_before_snapshot` and `run_after_restore` call."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import random
import re
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, Sequence, Set, ValuesView
from dataclasses import dataclass
from decimal import Decimal
from numbers import Number
from types import GeneratorType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl

from handover.runtime import Runtime, runtime

if TYPE_CHECKING:
    from handover.identity.signer import StandInSigner

_BEFORE: list[Callable[[], None]] = []
_AFTER: list[Callable[[], None]] = []
_PLACEHOLDER = re.compile(r"<[^>]+>")
_REALMS: tuple[Literal["operator", "staff", "customer"], ...] = ("customer", "staff", "operator")
_ANSWERED = "handover-snapshot-answered"
ANSWERED_HEADER = "x-handover-answered-in-process"  # on the replies priming makes up


def _register(before: Callable[[], None], after: Callable[[], None]) -> None:
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:  # not in Lambda's runtime
        _BEFORE.append(before)
        _AFTER.append(after)
        return
    register_before_snapshot(before)
    register_after_restore(after)


def prepare(app: Any | None, *parts: str, public_key: bool | None = None,
            bodies: Mapping[str, dict[str, Any]] | None = None, queries: Mapping[str, str] | None = None,
            rehearsal: Callable[[], object] | None = None) -> None:
    """Registers this function's hooks. `parts` are names of `Runtime` properties its routes use;
    `public_key` (by default: whether `authenticator` is one of them) loads the token key's public
    half, which only functions allowed kms:GetPublicKey may do. `bodies`: for a route that takes a
    body without a token, by its path, one its validation passes (priming then reaches what the
    route does, not a 422); `queries`, the same for a route's query string. `rehearsal`: for a
    function without routes, what it does with a synthetic event, below its handler's decorators
    (whose first call is the cold start they report)."""
    loads_key = "authenticator" in parts if public_key is None else public_key
    samples = _Samples(bodies or {}, queries or {})
    _register(lambda: _before_snapshot(app, parts, loads_key, samples, rehearsal), _after_restore)


@dataclass(frozen=True)
class _Samples:
    """What priming's request to a route carries, by the route's path."""

    bodies: Mapping[str, dict[str, Any]]
    queries: Mapping[str, str]


def _before_snapshot(app: Any | None, parts: tuple[str, ...], public_key: bool, samples: _Samples,
                     rehearsal: Callable[[], object] | None) -> None:
    built = runtime()
    for part in parts:
        getattr(built, part)
    for made in list(vars(built).values()):  # the parts named and those they were built from
        if hasattr(made, "before_snapshot"):
            made.before_snapshot()
    for lazy in list(built.lazy_clients):
        lazy.create()
    if public_key:
        built.signer.public_key()
    from handover.mail.addresses import normalise_email

    normalise_email("snapshot@example.com")  # email_validator, imported where an address first arrives
    "snapshot.example".encode("idna")  # the codec a new connection's host name goes through (getaddrinfo)
    for client in built.clients:
        _warm_operations(client)
    with _answered_here(built), _quiet():
        if app is not None:
            _prime(app, built, "authenticator" in parts, samples)
        if rehearsal is not None:
            rehearsal()
    from aws_lambda_powertools import Metrics

    Metrics().clear_metrics()  # none of the priming's counts may reach the first real request
    _settle_type_checks()


def _settle_type_checks() -> None:
    """Asks, once every module is loaded, whether each plain type is a Mapping, a Sequence, a Set,
    an Iterable or a Number, as converting an item or a body does. The first such question about a
    type walks every subclass of the abstract class loaded (some 450 for Mapping: about 4 ms);
    the answer is kept until any class is next registered with an abstract class (importing
    Jinja2 does), so this comes last."""
    plain: tuple[type, ...] = (str, bytes, int, float, bool, Decimal, type(None), list, tuple, dict, set,
                               GeneratorType)
    # A mapping's views: one is updated from another's items() (botocore's headers are).
    views: tuple[type, ...] = (ItemsView, KeysView, ValuesView, type({}.items()), type({}.keys()),
                               type({}.values()))
    for abstract in (Mapping, Sequence, Set, Iterable, Number):
        for kind in (*plain, *views):
            issubclass(kind, abstract)


def _warm_operations(client: Any) -> None:
    """Resolves the shapes of every operation of the client and runs its serializer and parser
    once on each, offline: what a first call of each operation would otherwise do; and makes the
    client's exception classes, which its first error would otherwise make."""
    client.exceptions  # noqa: B018 - built on first use: a class per error shape of the service
    model = client.meta.service_model
    for name in model.operation_names:
        operation = model.operation_model(name)
        with contextlib.suppress(Exception):  # an operation whose empty request or reply does not fit
            client._serializer.serialize_to_request({}, operation)
        if operation.output_shape is not None:
            with contextlib.suppress(Exception):
                client._response_parser.parse({"status_code": 200, "headers": {}, "body": b"{}"},
                                              operation.output_shape)


def _after_restore() -> None:
    random.seed()
    for client in runtime().clients:
        client._endpoint.http_session.close()  # its pool: connections made before the snapshot


def _prime(app: Any, built: Runtime, verifies_tokens: bool, samples: _Samples) -> None:
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
            route.dependant  # noqa: B018
            path = _PLACEHOLDER.sub("snapshot", route.path)
            for bearer in bearers:
                request = _request(route.method, path, bearer, samples.bodies.get(route.path, {}),
                                   samples.queries.get(route.path, ""))
                app.resolve(request, _Context())
    import jmespath
    from aws_lambda_powertools.logging.correlation_paths import API_GATEWAY_HTTP

    jmespath.compile(API_GATEWAY_HTTP)  # the handler's correlation id, parsed on first use and kept


@contextlib.contextmanager
def _answered_here(built: Runtime) -> Iterator[None]:
    """Every AWS call the runtime's clients make (and those of any client made meanwhile) is
    answered in the process, where it would be sent, as a call that found nothing is answered.
    The SDK does for it all it does for a real call (endpoint rules, signing, parsing the reply,
    its events), which a first real call of each operation would otherwise do for the first
    time; nothing leaves the process."""
    answers = [(built.session.events, None), *((client.meta.events, client.meta.service_model)
                                                for client in built.clients)]
    for emitter, service in answers:
        emitter.register_first("before-send", functools.partial(_nothing_found, service), unique_id=_ANSWERED)
    try:
        yield
    finally:
        for emitter, _service in answers:
            emitter.unregister("before-send", unique_id=_ANSWERED)


def _nothing_found(service: Any, request: Any, event_name: str, **_: Any) -> Any:
    """A success with nothing in it: each list and map at the reply's top level empty (as DynamoDB
    answers a read of nothing: `{"Responses": {}}`), but for a list the request has too, which
    gets an empty item for each item sent (PutEvents answers each entry); no other member."""
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
def _quiet() -> Iterator[None]:
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


def run_before_snapshot() -> None:
    """What Lambda does when it takes the snapshot, for the places that are not Lambda."""
    for hook in _BEFORE:
        hook()


def run_after_restore() -> None:
    for hook in _AFTER:
        hook()
