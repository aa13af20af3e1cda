"""X-Ray patches the AWS SDK in every function, and nothing else (handover/tracing.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from local.template import ROOT

# In a fresh interpreter, as in Lambda (tracing on, LAMBDA_TASK_ROOT set), import every function.
_IMPORT_EVERY_FUNCTION = """
import json, sys
from local.lambdas import load
from local.template import functions
for function in functions():
    load(function)
from aws_xray_sdk.core import patcher
print(json.dumps({"patched": sorted(patcher._PATCHED_MODULES), "sqlite3": "sqlite3" in sys.modules}))
"""


def test_every_function_traces_the_aws_sdk_and_patches_no_other_library() -> None:
    env = {name: value for name, value in os.environ.items() if name != "POWERTOOLS_TRACE_DISABLED"}
    env |= {"LAMBDA_TASK_ROOT": str(ROOT), "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR", "AWS_DEFAULT_REGION": "eu-west-1"}
    done = subprocess.run([sys.executable, "-c", _IMPORT_EVERY_FUNCTION], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"patched": ["botocore"], "sqlite3": False}
