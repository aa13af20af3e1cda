"""SnapStart: what a function does before Lambda snapshots its initialised environment, and what
it renews after each restore.

A function says what its routes use, once, next to its resolver:

    snapshot.prepare(app, "claiming", bodies={"/v1/auth/claim": {"token": "snapshot", "password": "snapshot"}})

and a worker, what it does with a synthetic event (handover/rehearsals.py):

    snapshot.prepare(None, "publisher", rehearsal=lambda: serve(rehearsals.outbox_stream()))

A part of the runtime that builds more on first use than its constructor does (the hosted pages:
each page's parts and their templates; the mailer: its templates; the directory: its stores) offers
a `before_snapshot()`, which the hook calls on every part it built.

Nothing runs at import: `prepare` only registers the hooks. Before the snapshot (when a version
is published with SnapStart on) the hook builds those parts of the runtime with their AWS
clients (and the clients' exception classes), loads the token key's public half where tokens are
verified, loads the email address validation, builds every model imported (handover/models.py:
built on first use otherwise) and each route's request validation, and rehearses
(handover/priming.py): one synthetic request per route through the resolver (with a token of
each realm where tokens are verified, signed by a key made for the occasion and trusted only
meanwhile; with the route's sample body where it takes one without a token), or the worker's
rehearsal. Every AWS call they make is answered in the process as a call that found nothing is
answered, after the SDK has done all it does for a real call, so each goes as far as a request
about nobody goes (the authentication's read of its principal, a link's read, a job's) and
nothing leaves the process; then every operation of each client is called once the same way, for
those no request reached. Nothing is logged meanwhile, and no metric is kept. Last, once every
module is loaded, it asks the type checks a first request asks (is a `str` a `Mapping`?), whose
first answers are slow. After a restore the other hook reseeds `random` and drops the clients'
pooled connections, which belonged to the environment the snapshot was taken in; credentials
come from Lambda's container endpoint under SnapStart and refresh themselves.

Lambda's runtime provides `snapshot_restore_py`; elsewhere (tests, the dev server, `make bench`)
the hooks go to a local registry that `run_before_snapshot` and `run_after_restore` call."""

from __future__ import annotations

import random
from collections.abc import Callable, ItemsView, Iterable, KeysView, Mapping, Sequence, Set, ValuesView
from decimal import Decimal
from numbers import Number
from types import GeneratorType
from typing import Any

from handover import models
from handover.runtime import runtime

_BEFORE: list[Callable[[], None]] = []
_AFTER: list[Callable[[], None]] = []


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
    (whose first call is the cold start they report). Called once a function's modules are in, it
    also ends their loading (handover/coldstart.py)."""
    from handover import coldstart  # the function's module imported it first, which paused the collector

    coldstart.loaded()
    loads_key = "authenticator" in parts if public_key is None else public_key
    _register(lambda: _before_snapshot(app, parts, loads_key, bodies or {}, queries or {}, rehearsal), _after_restore)


def _before_snapshot(app: Any | None, parts: tuple[str, ...], public_key: bool, bodies: Mapping[str, dict[str, Any]],
                     queries: Mapping[str, str], rehearsal: Callable[[], object] | None) -> None:
    from handover.priming import Samples, answered_here, prime, quiet, rehearse_operations  # only before one

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
    from handover.mail.addresses import validated

    validated("snapshot@example.com")  # email_validator, for addresses of an uncommon shape
    "snapshot.example".encode("idna")  # the codec a new connection's host name goes through (getaddrinfo)
    models.build_all()
    with answered_here(built), quiet():
        if app is not None:
            prime(app, built, "authenticator" in parts, Samples(bodies, queries))
        if rehearsal is not None:
            rehearsal()
        for client in list(built.clients):
            client.exceptions  # noqa: B018 - built on first use: a class per error shape of the service
            rehearse_operations(client)
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


def _after_restore() -> None:
    random.seed()
    for client in runtime().clients:
        client._endpoint.http_session.close()  # its pool: connections made before the snapshot


def run_before_snapshot() -> None:
    """What Lambda does when it takes the snapshot, for the places that are not Lambda."""
    for hook in _BEFORE:
        hook()


def run_after_restore() -> None:
    for hook in _AFTER:
        hook()
