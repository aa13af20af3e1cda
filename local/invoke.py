"""`make invoke FN=<function> [EVENT=events/<sample>.json]`: runs one function's handler on an
event, against a fresh local AWS (moto) with the seed data, and prints the response.

Placeholders in the samples (REPLACE_WITH_ACCESS_TOKEN, ...) are filled where this can:
REPLACE_WITH_ACCESS_TOKEN becomes a token of the demo owner.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from local.lambdas import by_name, handler_of
from local.server import LambdaContext, build, free_port
from local.template import ROOT


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: make invoke FN=<function> [EVENT=events/<sample>.json]")
    function = by_name(argv[0])
    event_path = Path(argv[1]) if len(argv) > 1 else ROOT / "events" / f"{function.name}.json"
    if not event_path.exists():
        sys.exit(f"no event sample {event_path}; pass EVENT=events/<sample>.json")
    server, _ = build(free_port())
    text = event_path.read_text()
    if "REPLACE_WITH_ACCESS_TOKEN" in text:
        login = handler_of(by_name("login"))(json.loads((ROOT / "events" / "login.json").read_text()),
                                             LambdaContext(function_name="LoginFunction"))
        text = text.replace("REPLACE_WITH_ACCESS_TOKEN", json.loads(login["body"])["access_token"])
    response = handler_of(function)(json.loads(text), LambdaContext(function_name=function.logical_id))
    print(json.dumps(response, indent=2))
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
