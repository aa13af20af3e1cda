"""Starts the dev server (`python -m local.server`, as `make dev` does) once for the e2e tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from local import background
from local.background import Http, HttpReply, finished

__all__ = ["Http", "HttpReply", "finished"]


@pytest.fixture(scope="session")
def dev_server() -> Iterator[Http]:
    with serving() as http:
        yield http


@pytest.fixture(scope="module")
def own_dev_server() -> Iterator[Http]:
    """A dev server for one module alone, for tests whose requests leave state (locks, spent login
    attempts, rate limits) that the other tests must not meet."""
    with serving() as http:
        yield http


@contextmanager
def serving() -> Iterator[Http]:
    """The dev server, with bulk invites at 500 a second (a 1,000-customer invite is not paced to
    the default 10)."""
    with background.dev_server("EmailSendRate=500") as http:
        yield http
