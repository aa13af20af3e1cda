"""Imports the functions' handler modules as Lambda would: the layer on sys.path, each
function's own directory as its code root, under a module name of its own."""

from __future__ import annotations

import importlib.util
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    return _import(function, "")


def _import(function: Function, copy: str) -> ModuleType:
    ensure_layer_on_path()
    module_file, _, _ = function.handler.rpartition(".")
    path = function.code_dir / f"{module_file}.py"
    name = f"functions_{function.name}_{module_file}{copy}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def handler_of(function: Function):  # type: ignore[no-untyped-def]
    return getattr(load(function), function.handler.rpartition(".")[2])


class Containers:
    """Lambda runs one request at a time per container and starts more containers for
    concurrent requests. A Powertools resolver holds the request it is serving, so two requests
    must never share one: each concurrent request gets a copy of the handler module of its own,
    and copies are reused once free, like warm containers."""

    def __init__(self) -> None:
        self._idle: dict[str, list[ModuleType]] = {}
        self._started: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def handler(self, function: Function) -> Iterator[Callable[[dict[str, Any], Any], Any]]:
        with self._lock:
            idle = self._idle.setdefault(function.logical_id, [])
            module = idle.pop() if idle else None
            if module is None:
                number = self._started.get(function.logical_id, 0)
                self._started[function.logical_id] = number + 1
        if module is None:
            module = load(function) if number == 0 else _import(function, f"_container{number}")
        try:
            yield getattr(module, function.handler.rpartition(".")[2])
        finally:
            with self._lock:
                self._idle[function.logical_id].append(module)


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
