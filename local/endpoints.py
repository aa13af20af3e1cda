"""Writes layers/common/handover/endpoints.json: botocore's endpoint data cut to the services the
functions call (handover.aws.SERVICES), every partition's own data whole. `make endpoints` runs
it; the lint step fails when the committed file differs from what the pinned botocore gives.

    python -m local.endpoints [--check]
"""

from __future__ import annotations

import json
import sys
from typing import Any

import botocore.session

from local.lambdas import ensure_layer_on_path
from local.template import ROOT


def cut() -> dict[str, Any]:
    ensure_layer_on_path()
    from handover.aws import SERVICES

    loader = botocore.session.get_session().get_component("data_loader")
    # endpoints.json names a service by its endpoint prefix (SES v2's is "email")
    prefixes = {loader.load_service_model(service, "service-2")["metadata"]["endpointPrefix"] for service in SERVICES}
    data: dict[str, Any] = loader.load_data("endpoints")
    return {**data, "partitions": [
        {**partition, "services": {name: rules for name, rules in partition["services"].items() if name in prefixes}}
        for partition in data["partitions"]
    ]}


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main() -> None:
    ensure_layer_on_path()
    from handover.aws import ENDPOINTS

    wanted = render(cut())
    if "--check" in sys.argv:
        if not ENDPOINTS.exists() or ENDPOINTS.read_text(encoding="utf-8") != wanted:
            sys.exit(f"{ENDPOINTS.relative_to(ROOT)} is stale (botocore {botocore.__version__}): run `make endpoints`")
        return
    ENDPOINTS.write_text(wanted, encoding="utf-8")
    print(f"wrote {ENDPOINTS.relative_to(ROOT)} ({len(wanted.encode()):,} bytes, botocore {botocore.__version__})")


if __name__ == "__main__":
    main()
