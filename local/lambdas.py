"""Imports the functions' handler modules as Lambda would: the layer on sys.path, each
function's own directory as its code root, under a module name of its own."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

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
    spec.loader.exec_module(module)
    return module


def handler_of(function: Function):  # type: ignore[no-untyped-def]
    return getattr(load(function), function.handler.rpartition(".")[2])


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
