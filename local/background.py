"""The dev server (`python -m local.server`, as `make dev` runs it) in a child process on a free
port, for as long as a block lasts, and a small HTTP client for it: the end-to-end tests and
`make bench` talk to it through these."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from local.aws import free_port

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 120


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
        self.banner = ""  # what the server printed on starting: its URLs and the seed logins

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


def finished(server: Http, token: str, job_id: str, timeout: float = 120, every: float = 0.3) -> dict[str, Any]:
    """The job once it ended (done, failed or cancelled), or as it is when `timeout` passed; a read
    that fails meanwhile (the dev server busy) is tried again at the next poll."""
    deadline = time.monotonic() + timeout
    while True:
        failure = ""
        try:
            reply = server.call("GET", f"/v1/jobs/{job_id}", token=token)
        except OSError as error:  # timed out
            failure = str(error)
        else:
            if reply.status == 200:
                job: dict[str, Any] = reply.json()["job"]
                if job["status"] in ("done", "failed", "cancelled"):
                    return job
            else:
                failure = f"HTTP {reply.status} {reply.body[:300]!r}"
        if time.monotonic() > deadline:
            if failure:
                raise RuntimeError(f"GET /v1/jobs/{job_id}: {failure}")
            return job
        time.sleep(every)


@contextmanager
def dev_server(parameter_overrides: str = "") -> Iterator[Http]:
    """A dev server from its banner until the block ends; `parameter_overrides` as
    LOCAL_PARAMETER_OVERRIDES takes them (`EmailSendRate=500`)."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen([sys.executable, "-m", "local.server"], cwd=ROOT,
                                   env={**os.environ, "PORT": str(port),
                                        "LOCAL_PARAMETER_OVERRIDES": parameter_overrides},
                                   stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            http = Http(f"http://127.0.0.1:{port}")
            http.banner = _wait_for_banner(process, log)
            # Keep reading what it prints (schedules, metrics): a pipe nobody reads fills, and then
            # every process writing to it (the functions' containers too) stops.
            threading.Thread(target=_drain, args=(process, log), daemon=True).start()
            yield http
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _drain(process: subprocess.Popen[str], log: IO[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        log.write(line)


def _wait_for_banner(process: subprocess.Popen[str], log: IO[str]) -> str:
    lines: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            log.seek(0)
            raise RuntimeError("the dev server exited:\n" + "".join(lines) + log.read())
        lines.append(line)
        if "Ctrl-C stops it" in line:
            return "".join(lines)
    raise RuntimeError(f"the dev server did not start within {START_SECONDS} s")
