"""SnapStart: what a function does before Lambda snapshots its initialised environment, and what
it renews after each restore.

A function says what its routes use, once, next to its resolver:

    snapshot.prepare(app, "claiming")

A part of the runtime that builds more on first use than its constructor does (the hosted pages:
each page's parts and their templates; the mailer: its templates) offers a `before_snapshot()`,
which the hook calls on every part it built.

Nothing runs at import: `prepare` only registers the hooks. Before the snapshot (when a version
is published with SnapStart on) the hook builds those parts of the runtime with their AWS
clients (each operation's shapes and the client's exception classes too), loads the token key's
public half where tokens are verified, loads the email address validation, builds each route's
request validation and primes the resolver with one synthetic request per route (carrying a
token signed by a throwaway key where tokens are verified), which touches no AWS: any AWS call it
would make stops before it is sent. Last, once every module is loaded, it asks the type checks a
first request asks (is a `str` a `Mapping`?), whose first answers are slow. After a restore the
other hook reseeds `random` and drops the clients' pooled connections, which belonged to the
environment the snapshot was taken in; credentials come from Lambda's container endpoint under
SnapStart and refresh themselves.

Lambda's runtime provides `snapshot_restore_py`; elsewhere (tests, the dev server, `make bench`)
the hooks go to a local registry that `run_before_snapshot` and `run_after_restore` call."""

from __future__ import annotations

import contextlib
import json
import random
import re
from collections.abc import Callable, ItemsView, Iterable, KeysView, Mapping, Sequence, Set, ValuesView
from decimal import Decimal
from numbers import Number
from types import GeneratorType
from typing import Any

from handover.runtime import runtime

_BEFORE: list[Callable[[], None]] = []
_AFTER: list[Callable[[], None]] = []
_PLACEHOLDER = re.compile(r"<[^>]+>")


class _NotSent(BaseException):
    """Raised instead of sending an AWS call while priming. A BaseException, so neither the
    resolver's exception handlers nor the tracer turn it into a response or log it."""


def _register(before: Callable[[], None], after: Callable[[], None]) -> None:
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:  # not in Lambda's runtime
        _BEFORE.append(before)
        _AFTER.append(after)
        return
    register_before_snapshot(before)
    register_after_restore(after)


def prepare(app: Any | None, *parts: str, public_key: bool | None = None) -> None:
    """Registers this function's hooks. `parts` are names of `Runtime` properties its routes use;
    `public_key` (by default: whether `authenticator` is one of them) loads the token key's public
    half, which only functions allowed kms:GetPublicKey may do."""
    loads_key = "authenticator" in parts if public_key is None else public_key
    _register(lambda: _before_snapshot(app, parts, loads_key), _after_restore)


def _before_snapshot(app: Any | None, parts: tuple[str, ...], public_key: bool) -> None:
    built = runtime()
    for part in parts:
        getattr(built, part)
    for made in list(vars(built).values()):  # the parts named and those they were built from
        if hasattr(made, "before_snapshot"):
            made.before_snapshot()
    for lazy in list(built.lazy_clients):
        lazy.create()
    bearer = None
    if public_key:
        built.signer.public_key()
        bearer = _unverifiable_token(built.settings.token_key_id)
    from handover.mail.addresses import normalise_email

    normalise_email("snapshot@example.com")  # email_validator, imported where an address first arrives
    "snapshot.example".encode("idna")  # the codec a new connection's host name goes through (getaddrinfo)
    for client in built.clients:
        _warm_operations(client)
    if app is not None:
        _prime(app, built.clients, bearer)
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


def _unverifiable_token(key_id: str) -> str:
    """A well-formed access token under the service's key id, signed by a key made for the
    occasion: verifying it walks the whole check (and its libraries) to a 401."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    return jwt.encode({"sub": "snapshot"}, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256",
                      headers={"kid": key_id})


def _after_restore() -> None:
    random.seed()
    for client in runtime().clients:
        client._endpoint.http_session.close()  # its pool: connections made before the snapshot


def _prime(app: Any, clients: list[Any], bearer: str | None) -> None:
    """One synthetic request per route, answered by the resolver (validation, dependencies, the
    route and its response model) up to the first AWS call, which is never sent; with `bearer`,
    carrying that token, which the authentication refuses."""

    def stop(**_: Any) -> None:
        raise _NotSent

    for client in clients:
        client.meta.events.register_first("before-call", stop, unique_id="handover-snapshot-prime")
    try:
        for route in [*app._static_routes, *app._dynamic_routes]:
            # What the request validation builds on a route's first request (its parameters' and
            # body's models, the response's), which a refused token would stop short of.
            route.dependant  # noqa: B018
            with contextlib.suppress(_NotSent):
                app.resolve(_request(route.method, _PLACEHOLDER.sub("snapshot", route.path), bearer), _Context())
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", unique_id="handover-snapshot-prime")
        from aws_lambda_powertools import Metrics

        Metrics().clear_metrics()  # none of the priming's counts may reach the first real request


def _request(method: str, path: str, bearer: str | None) -> dict[str, Any]:
    body = json.dumps({}) if method in ("POST", "PUT", "PATCH") else None
    headers = {"content-type": "application/json", "user-agent": "handover-snapshot"}
    if bearer:
        headers["authorization"] = f"Bearer {bearer}"
    return {"version": "2.0", "routeKey": f"{method} {path}", "rawPath": path, "rawQueryString": "",
            "headers": headers,
            "requestContext": {"http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                        "sourceIp": "127.0.0.1", "userAgent": "handover-snapshot"},
                               "requestId": "snapshot", "routeKey": f"{method} {path}", "stage": "$default"},
            "body": body, "isBase64Encoded": False}


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
