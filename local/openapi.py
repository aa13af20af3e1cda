"""Writes functions/docs/openapi.json: the OpenAPI documents of every function's resolver,
merged. `make openapi` runs it; a test fails when the committed document is stale.

    python -m local.openapi [--check]
"""

from __future__ import annotations

import json
import sys
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from local.lambdas import load
from local.template import ROOT, functions

DOCUMENT = ROOT / "functions" / "docs" / "openapi.json"
DESCRIPTION = (
    "Staff create customer accounts on the customer's behalf; customers claim them through an emailed, "
    "expiring, single-use link. Errors are RFC 9457 problem details with a stable `code`. "
    "The contract in prose: shared/docs/api.md."
)


SECURITY_SCHEMES: dict[str, Any] = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}


def generate() -> dict[str, Any]:
    merge = OpenAPIMerge(title="Handover API", version="1.0.0", description=DESCRIPTION,
                         security_schemes=SECURITY_SCHEMES, on_conflict="error")
    for function in functions():
        if not function.routes or function.name == "docs":
            continue
        merge.add_schema(load(function).app.get_openapi_schema(title="Handover API", version="1.0.0",
                                                                    security_schemes=SECURITY_SCHEMES))
    document: dict[str, Any] = json.loads(merge.get_openapi_json_schema())
    return _without_unused_schemas(document)


def _without_unused_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Drops the component schemas no operation reaches: Powertools always adds its own 422 body
    (HTTPValidationError, whose items lack `msg`), which no route answers; every 422 here is a
    problem+json (handover.web)."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    prefix = "#/components/schemas/"

    def references(node: Any) -> set[str]:
        if isinstance(node, dict):
            found = {node["$ref"][len(prefix):]} if str(node.get("$ref", "")).startswith(prefix) else set()
            return found.union(*(references(value) for value in node.values()))
        if isinstance(node, list):
            return set().union(*(references(value) for value in node))
        return set()

    reached: set[str] = set()
    pending = references(document.get("paths", {}))
    while pending:
        name = pending.pop()
        if name not in reached and name in schemas:
            reached.add(name)
            pending |= references(schemas[name])
    for name in set(schemas) - reached:
        del schemas[name]
    return document


def render() -> str:
    return json.dumps(generate(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    text = render()
    if "--check" in sys.argv:
        if not DOCUMENT.exists() or DOCUMENT.read_text() != text:
            sys.exit("functions/docs/openapi.json is stale: run `make openapi`")
        return
    DOCUMENT.write_text(text)
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
