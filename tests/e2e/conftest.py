"""Starts the dev server (`python -m local.server`, as `make dev` does) once for the e2e tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local.aws import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class HttpReply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Http:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.banner = ""

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> HttpReply:
        headers = {**({"content-type": "application/json"} if body is not None or raw else {}), **(headers or {})}
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return HttpReply(response.status, {k.lower(): v for k, v in response.headers.items()},
                                 response.read())
        except urllib.error.HTTPError as error:
            return HttpReply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


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
    """`python -m local.server` on a free port, from its banner until the block ends."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen([sys.executable, "-m", "local.server"], cwd=ROOT,
                                   env={**os.environ, "PORT": str(port)},
                                   stdout=subprocess.PIPE, stderr=log, text=True)
        http = Http(f"http://127.0.0.1:{port}")
        try:
            http.banner = _wait_for_banner(process, log)
            yield http
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for_banner(process: subprocess.Popen[str], log: Any) -> str:
    lines: list[str] = []
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            log.seek(0)
            raise RuntimeError("the dev server exited:\n" + "".join(lines) + log.read())
        lines.append(line)
        if "Ctrl-C stops it" in line:
            return "".join(lines)
    raise RuntimeError("the dev server did not start within 120 s")
