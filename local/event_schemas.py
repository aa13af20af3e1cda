"""Writes events/schemas/<detail-type>.json: a JSON Schema (2020-12) of the `detail` of each of
Handover's own events, generated from their models (handover.contract.events). `make schemas`
runs it; the lint step fails when a committed schema is stale.

    python -m local.event_schemas [--check]
"""

from __future__ import annotations

import json
import sys
from typing import Any

from local.lambdas import ensure_layer_on_path
from local.template import ROOT

FOLDER = ROOT / "events" / "schemas"


def schemas() -> dict[str, dict[str, Any]]:
    ensure_layer_on_path()
    from handover.contract.events import EVENT_TYPES, SOURCE, EventDetail

    found = {}
    for detail_type, data in EVENT_TYPES.items():
        schema = EventDetail[data].model_json_schema()  # type: ignore[valid-type]
        found[detail_type] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:handover:event:{detail_type}",
            "title": f"{detail_type} (source {SOURCE})",
            "description": f"The `detail` of the `{detail_type}` events Handover puts on its bus.",
            **{key: value for key, value in schema.items() if key != "title"},
        }
    return found


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    wanted = {f"{detail_type}.json": render(schema) for detail_type, schema in schemas().items()}
    present = {path.name: path for path in FOLDER.glob("*.json")}
    if "--check" in sys.argv:
        stale = sorted(name for name, text in wanted.items()
                       if name not in present or present[name].read_text(encoding="utf-8") != text)
        extra = sorted(set(present) - set(wanted))
        if stale or extra:
            sys.exit(f"events/schemas is stale ({', '.join(stale + extra)}): run `make schemas`")
        return
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name in set(present) - set(wanted):
        present[name].unlink()
    for name, text in wanted.items():
        (FOLDER / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} schemas to {FOLDER.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
