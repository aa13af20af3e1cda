"""`make invoke FN=<function> [EVENT=events/<sample>.json]`.

With the dev server running (on PORT, default 3000), a scheduled function such as `cleanup`
runs there, on the dev server's data, as its schedule would. Otherwise the function's handler
runs here on its event sample, against a fresh local AWS (moto) with the seed data, and the
response is printed; REPLACE_WITH_ACCESS_TOKEN in a sample becomes a token of the demo owner,
REPLACE_WITH_ACCOUNT_ID the id of Demo Studio.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from local.aws import free_port
from local.lambdas import LambdaContext, by_name, handler_of
from local.server import build
from local.template import ROOT, Function


def on_dev_server(function: Function) -> bool:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '3000')}/_local/invoke/{function.name}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=300) as response:
            print(f"ran {function.name} on the dev server: {response.read().decode()}")
            return True
    except (urllib.error.URLError, ConnectionError):
        return False


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: make invoke FN=<function> [EVENT=events/<sample>.json]")
    function = by_name(argv[0])
    if function.schedules and len(argv) == 1 and on_dev_server(function):
        return
    event_path = Path(argv[1]) if len(argv) > 1 else ROOT / "events" / f"{function.name}.json"
    if not event_path.exists():
        sys.exit(f"no event sample {event_path}; pass EVENT=events/<sample>.json")
    server, _ = build(free_port())
    text = event_path.read_text()
    if "REPLACE_WITH_ACCESS_TOKEN" in text or "REPLACE_WITH_REFRESH_TOKEN" in text:
        login = handler_of(by_name("login"))(json.loads((ROOT / "events" / "login.json").read_text()),
                                             LambdaContext(function_name="LoginFunction"))
        tokens = json.loads(login["body"])
        text = text.replace("REPLACE_WITH_ACCESS_TOKEN", tokens["access_token"])
        text = text.replace("REPLACE_WITH_REFRESH_TOKEN", tokens["refresh_token"])
    if "REPLACE_WITH_ACCOUNT_ID" in text:
        from handover.runtime import runtime

        demo = runtime().directory.accounts.by_nickname("demo")
        text = text.replace("REPLACE_WITH_ACCOUNT_ID", demo.id if demo else "")
    response = handler_of(function)(json.loads(text), LambdaContext(function_name=function.logical_id))
    print(json.dumps(response, indent=2))
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
