"""Imports the functions' handler modules as Lambda would: the layer on sys.path, each
function's own directory as its code root, under a module name of its own."""

from __future__ import annotations

import gc
import importlib.util
import os
import sys
import uuid
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

from local.template import ROOT, Function, functions

LAYER = ROOT / "layers" / "common"


def ensure_layer_on_path() -> None:
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))


@cache
def load(function: Function) -> ModuleType:
    ensure_layer_on_path()
    module_file, _, _ = function.handler.rpartition(".")
    path = function.code_dir / f"{module_file}.py"
    name = f"functions_{function.name}_{module_file}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        # A function's load pauses the collector and then freezes what it made, for a container
        # that serves that function alone (handover/coldstart.py). The dev server's processes and
        # the tests load many and go on making objects: theirs stay collectable.
        gc.unfreeze()
        gc.enable()
    return module


def handler_of(function: Function):  # type: ignore[no-untyped-def]
    return getattr(load(function), function.handler.rpartition(".")[2])


class Containers:
    """Lambda runs one request at a time in each container, a process of its own, and starts more
    containers for concurrent requests. The dev server does the same with a pool of processes:
    requests must not share one, since Powertools keeps the request being resolved in a class
    attribute (BaseRouter.current_event), so two requests in one process would mix."""

    def __init__(self, size: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(size, initializer=_start_container, initargs=(dict(os.environ),))

    def invoke(self, function: Function, event: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = self._pool.apply(_invoke_in_container, (function.logical_id, event))
        return response

    def close(self) -> None:
        self._pool.terminate()


def _start_container(environ: dict[str, str]) -> None:
    os.environ.update(environ)
    ensure_layer_on_path()


def _invoke_in_container(logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
    function = by_name(logical_id)
    response: dict[str, Any] = handler_of(function)(event, LambdaContext(function_name=logical_id))
    return response


def by_name(name: str) -> Function:
    for function in functions():
        if name in (function.name, function.logical_id):
            return function
    raise KeyError(f"no function {name!r} in template.yaml")


@dataclass
class LambdaContext:
    """What a handler may read from its context object."""

    function_name: str
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000
