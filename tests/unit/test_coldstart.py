"""Every function's modules load with the garbage collector paused, and what they made is
frozen once they are in (handover/coldstart.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from local.template import ROOT, Function, functions

# In a fresh interpreter, as Lambda's runtime loads a handler: the function's code directory and
# the layer on the path, its module imported by name; the collections meanwhile counted.
_LOAD_AS_LAMBDA_DOES = """
import gc, importlib, json, sys
collections = []  # those from the pause (its module imported) to the freeze

def counted(phase, info):
    if phase == "start" and "handover.coldstart" in sys.modules and not gc.get_freeze_count():
        collections.append(info["generation"])

gc.callbacks.append(counted)
sys.path[0:0] = [sys.argv[1], "layers/common"]
importlib.import_module(sys.argv[2])
print(json.dumps({"collections": collections, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize("function", [f for f in functions() if f.name in ("login", "pages", "import_worker")],
                         ids=lambda function: function.name)
def test_a_function_loads_without_a_collection_and_freezes_what_it_made(function: Function) -> None:
    # Given a function (one with routes, the hosted pages, a worker), loaded as Lambda loads it
    env = os.environ | {"AWS_DEFAULT_REGION": "eu-west-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    module = function.handler.rpartition(".")[0]
    done = subprocess.run([sys.executable, "-c", _LOAD_AS_LAMBDA_DOES, str(function.code_dir), module],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # Then no collection ran from the pause to the end of its loading, what its modules made is
    # frozen (tens of thousands of objects), and the collector runs again
    assert found["collections"] == []
    assert found["frozen"] > 20_000
    assert found["enabled"] is True


def test_every_function_imports_the_pause_before_anything_else() -> None:
    # Given every function's module
    for function in functions():
        source = (function.code_dir / f"{function.handler.rpartition('.')[0]}.py").read_text(encoding="utf-8")
        # Then its first statement after the docstring is the pause, and it calls
        # snapshot.prepare (which ends the loading)
        first = source.split('"""', 2)[2].lstrip().splitlines()[0]
        assert first.startswith("from handover import coldstart"), function.name
        assert "snapshot.prepare(" in source, function.name


def test_only_a_function_module_pauses_the_collector() -> None:
    # Given a fresh interpreter that imports the snapshot hooks and the runtime, as the bench and
    # the tests do, but loads no function
    code = "import gc, handover.snapshot, handover.runtime; print(gc.isenabled())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "layers/common", capture_output=True, text=True,
                          timeout=60, check=True)
    # Then its collector still runs
    assert done.stdout.strip() == "True"
