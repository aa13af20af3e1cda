import time

_STARTED = time.perf_counter()  # the first thing a fresh interpreter does: before any other import
_STARTED_CPU = time.process_time()

# One cold start, in a fresh interpreter: import a Lambda handler as the Python runtime would (its
# code directory and the common layer on sys.path, the module imported by name), serve one event,
# and print how long that took since the interpreter reached this file's first line.
#
#     python bench/child.py <code dir> <module.function> <event.json> [<second event.json>]
#
# Run by bench.coldstart, never imported. The parent reads the last line:
# `BENCH <ms to the first response> <status> <ms to the end of the import> <CPU ms to the first response>
# <bytes of an HTML body, or ->`.
#
# With a second and a third event, SnapStart's model instead: the import and the before-snapshot
# hooks are not timed (Lambda runs them when it publishes the version); the after-restore hooks and
# the first request are, then the second request alone (a warm one), then the after-restore hooks
# again and the third request (what a restore costs once the code has run: the new connections):
# `SNAP <ms of restore hooks + first request> <status> <ms of the second request> <its status>
# <ms of restore hooks + third request>`.

import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402


class LambdaContext:
    """What a handler may read from its context object (as local.lambdas.LambdaContext, without
    importing the dev tooling, which would add yaml to the measured imports)."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.memory_limit_in_mb = 1024
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "bench"
        self.function_version = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _context() -> LambdaContext:
    return LambdaContext(os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench"))


def _status(response: object) -> str:
    status = response.get("statusCode", "ok") if isinstance(response, dict) else "ok"
    if isinstance(response, dict) and response.get("batchItemFailures"):
        status = "failed"
    return str(status)


def _html_bytes(response: object) -> str:
    """The size of a hosted page's HTML, or `-` for any other response."""
    headers = (response.get("headers") or {}) if isinstance(response, dict) else {}
    if not str(headers.get("Content-Type", headers.get("content-type", ""))).startswith("text/html"):
        return "-"
    return str(len(str(response.get("body") or "").encode("utf-8")))  # type: ignore[union-attr]


def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def snapstart(handler: object, first_path: str, second_path: str, third_path: str) -> None:
    from handover import snapshot

    first, second, third = _load(first_path), _load(second_path), _load(third_path)
    snapshot.run_before_snapshot()
    started = time.perf_counter()
    snapshot.run_after_restore()
    response = handler(first, _context())  # type: ignore[operator]
    restored_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    warm = handler(second, _context())  # type: ignore[operator]
    warm_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    snapshot.run_after_restore()
    handler(third, _context())  # type: ignore[operator]
    again_ms = (time.perf_counter() - started) * 1000
    sys.stdout.flush()
    print(f"\nSNAP {restored_ms:.3f} {_status(response)} {warm_ms:.3f} {_status(warm)} {again_ms:.3f}", flush=True)


def main() -> None:
    code_dir, handler, event_path = sys.argv[1:4]
    # Lambda's sys.path: the function's code, then the layers; not this script's own directory.
    sys.path[0:1] = [code_dir, *os.environ["BENCH_LAYER"].split(os.pathsep)]
    module_name, _, function_name = handler.rpartition(".")
    if len(sys.argv) > 4:
        snapstart(getattr(importlib.import_module(module_name), function_name), event_path, *sys.argv[4:6])
        return
    with open(event_path, encoding="utf-8") as file:
        event = json.load(file)
    module = importlib.import_module(module_name)
    imported_ms = (time.perf_counter() - _STARTED) * 1000
    response = getattr(module, function_name)(event, _context())
    elapsed_ms = (time.perf_counter() - _STARTED) * 1000
    cpu_ms = (time.process_time() - _STARTED_CPU) * 1000
    sys.stdout.flush()
    print(f"\nBENCH {elapsed_ms:.3f} {_status(response)} {imported_ms:.3f} {cpu_ms:.3f} {_html_bytes(response)}",
          flush=True)


main()
