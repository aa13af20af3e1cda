"""AWS for the bench: moto's server on loopback (part 1, shared with the child interpreters) or
moto's in-process mock (parts 2 to 4), each with the template's resources and the seed data."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import boto3

from local.aws import REGION, create_resources
from local.moto_patches import list_services_once, make_dynamodb_fast

PORTAL = "https://portal.bench.example"


@contextmanager
def environment(values: dict[str, str], unset: tuple[str, ...] = ()) -> Iterator[None]:
    """os.environ with `values` set (and `unset` removed) for the duration; restored after."""
    saved = dict(os.environ)
    for name in unset:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def moto_server() -> Iterator[dict[str, str]]:
    """moto's server on a free loopback port; yields the AWS part of a function's environment."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    list_services_once()
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    finally:
        server.stop()


@contextmanager
def seeded(aws: dict[str, str], unset: tuple[str, ...] = ()) -> Iterator[dict[str, str]]:
    """The template's resources and the seed data in the AWS that `aws` points at; yields the
    function environment (local.aws.create_resources). handover's runtime is rebuilt around it."""
    from handover.runtime import runtime

    from local.seed import load_seed

    make_dynamodb_fast()
    with environment(aws, unset):
        # Bulk invites unpaced (part 8 times the invite worker, not the send rate)
        function_env = create_resources(boto3.session.Session(), {"PortalUrl": PORTAL, "EmailSendRate": "1000"})
        with environment(function_env):
            runtime.cache_clear()
            load_seed(runtime())
            try:
                yield function_env
            finally:
                runtime.cache_clear()


@contextmanager
def mocked() -> Iterator[dict[str, str]]:
    """moto's in-process mock, as the tests use it, seeded."""
    from moto import mock_aws

    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
           "AWS_REGION": REGION, "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true"}
    with environment(aws, unset=("AWS_ENDPOINT_URL",)), mock_aws(), seeded({}) as function_env:
        yield function_env
