"""Contract fuzzing: schemathesis runs every check it has against the dev server's /openapi.json,
signed in with the seed logins, and must find nothing. No 5xx, and every response (status,
content type, headers, body) is one the document promises.

Run alone: .venv/bin/python -m pytest tests/e2e/test_contract_fuzz.py -q -s
The run is bounded (a fixed seed, deterministic generation, a few dozen cases per operation) so
that it stays within a few minutes; it has a server of its own, since it locks, unlocks and
spends login attempts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st

from local.background import ROOT
from tests.e2e.conftest import Http

pytestmark = pytest.mark.e2e

SEED = 2026  # used if deterministic generation is ever dropped; with it, every run draws the same cases
MAX_EXAMPLES = 12  # per operation and phase (bounded: the whole of `make test` stays near 12 minutes)
STATEFUL_STEPS = 10  # at most, per stateful scenario
TIMEOUT_SECONDS = 900  # a hang, not a slow run: the whole fuzz takes about two minutes on two cores

OWNER = {"realm": "staff", "account": "demo", "email": "owner@demo.example", "password": "Owner-Passw0rd!"}
OPERATOR = {"realm": "operator", "email": "operator@example.com", "password": "Operator-Passw0rd!"}
CUSTOMER_EMAIL = "fuzz.customer@example.com"
CUSTOMER_PASSWORD = "Fuzzy-Harbour-42"
MAX_IDEMPOTENCY_KEY = 200  # the header's maxLength

# Which token each group of operations gets (the document's `security` says which need one; the
# public /v1/auth/* and /.well-known/* ones get none).
TOKEN_FOR_PATHS = {"staff": "^/v1/(customers|settings)", "operator": "^/v1/operator/", "customer": "^/v1/me$"}

# `positive_data_acceptance` expects a schema-valid request to succeed, or to meet 401, 403, 404,
# 409 or 429. A few refusals depend on state or secrets the schema cannot express, so they are
# acceptable answers to valid data for the operations that document them (and only those):
DEFAULT_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' own default
STATE_DEPENDENT = {
    # 410 link_invalid: a well-formed token that the service never issued (or that is spent).
    ("GET", "/v1/auth/links/{token}"): ["410"],
    ("POST", "/v1/auth/claim"): ["410", "423"],
    ("POST", "/v1/auth/password/reset"): ["410", "423"],
    # 423: the customer or business is locked, which an earlier fuzzed lock may well have done.
    ("POST", "/v1/auth/login"): ["423"],
    ("POST", "/v1/customers/{id}/invite"): ["423"],
    ("POST", "/v1/customers/{id}/password-reset"): ["423"],
    ("POST", "/v1/operator/accounts/{id}/login-as"): ["423"],
    ("POST", "/v1/operator/accounts/{id}/owner/password-reset"): ["423"],
    ("POST", "/v1/operator/accounts/{id}/owner/invite"): ["423"],
    # 422 password_policy: the policy (the business's profile, the blocklist, the email's local
    # part) is the business's and the customer's, not the schema's; 423 as above.
    ("PUT", "/v1/customers/{id}/password"): ["422", "423"],
    # 422 cursor_invalid: a cursor is opaque, and only one the list gave out is valid.
    ("GET", "/v1/operator/accounts/{id}/history"): ["422"],
    ("GET", "/v1/operator/operators"): ["422"],
    ("GET", "/v1/customers"): ["422"],
    ("GET", "/v1/customers/{id}/bookings"): ["422"],
    # ... and 422 filters_not_combinable: at most one of q, tag and mine, which a schema of
    # independent query parameters cannot state.
    ("GET", "/v1/operator/accounts"): ["422"],
    ("GET", "/v1/operator/accounts/{id}/staff"): ["422"],
    ("GET", "/v1/staff"): ["422"],
    # 422 password_policy for the new password, as above; 423 as above.
    ("PUT", "/v1/me/password"): ["422", "423"],
    # 422 validation_error: custom field values are checked against the business's definitions
    # (keys, types, required fields), which are data, not schema.
    ("POST", "/v1/customers"): ["422"],
    ("PATCH", "/v1/customers/{id}"): ["422"],
    ("PATCH", "/v1/me"): ["422"],
    # 422 validation_error: each custom field's key may be used once, a rule JSON Schema cannot state.
    ("PUT", "/v1/settings/custom-fields"): ["422"],
    # 409 job_finished: a job may have ended (a fuzzed cancel, or its rows all done); 422
    # cursor_invalid as above.
    ("POST", "/v1/jobs/{id}/cancel"): ["409"],
    ("GET", "/v1/jobs"): ["422"],
    ("GET", "/v1/jobs/{id}/errors"): ["422"],
    # 400 csv_invalid: a text/csv body must be UTF-8 with an `email` column, which the document
    # cannot state of a string.
    ("POST", "/v1/customers/imports"): ["400"],
    # 422 validation_error: exactly one of `ids` and `status`, and distinct ids, rules the
    # document does not state.
    ("POST", "/v1/customers/invites"): ["422"],
    # 422 validation_error: assigned operators must exist (data, not schema).
    ("PATCH", "/v1/operator/accounts/{id}"): ["422"],
}


# The document's own string format for free text (handover.contract.PRINTABLE): printable
# characters (letters, marks, numbers, punctuation, symbols and the space) with nothing to trim.
# This module is also schemathesis' hooks module, which is how its generator learns the format.
schemathesis.openapi.format("printable", st.text(st.characters(categories=["L", "M", "N", "P", "S"]) | st.just(" "),
                                                 max_size=40).filter(lambda text: text == text.strip()))


# An Idempotency-Key sent again with another body is refused (422 idempotency_key_reused), as
# designed: state the schema cannot express. So a schema-valid case never reuses a key with
# another body: such a key gets a fresh ending (schemathesis' own advice for unique fields).
_BODY_OF_KEY: dict[tuple[str, str], str] = {}


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    _with_sent_headers(context, case)
    if not case.headers or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    for name, key in case.headers.items():
        if name.lower() == "idempotency-key" and isinstance(key, str):
            body = repr((case.body, case.query))  # the query (dry_run, ...) is part of what a key answers
            if _BODY_OF_KEY.setdefault((case.operation.label, key), body) != body:
                fresh = uuid.uuid4().hex
                case.headers[name] = key[:MAX_IDEMPOTENCY_KEY - len(fresh)] + fresh
                _BODY_OF_KEY[(case.operation.label, case.headers[name])] = body


def _with_sent_headers(context: schemathesis.HookContext, case: schemathesis.Case) -> None:
    """In the stateful phase every request carries the headers the config gives its operation (its
    token), whatever the case generated; the case shows them too, so that a negative case is
    judged by what was sent. Otherwise a case generated without `Authorization` (a missing required
    header), sent with the token all the same, counts as still negated there, and an accepted
    request is called a schema violation (ST201) when its only other change is an extra query
    parameter, which the API ignores as API Gateway does. Whether a run meets such a case shifts
    with the constants of the local code it has loaded. (The coverage phase sends its
    missing-header cases without the token, as it should: those stay as they are.)"""
    if context.operation is None or case.meta is None or case.meta.phase.name != "stateful":
        return
    configured = context.operation.schema.config.headers_for(operation=context.operation)
    if configured:
        names = {name.lower() for name in configured}
        case.headers = {**{name: value for name, value in (case.headers or {}).items() if name.lower() not in names},
                        **configured}


def test_schemathesis_finds_nothing(own_dev_server: Http, tmp_path: Path) -> None:
    tokens = sign_in(own_dev_server)
    config = tmp_path / "schemathesis.toml"
    config.write_text(schemathesis_config(tokens))
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
        "run", f"{own_dev_server.base_url}/openapi.json",
        # Every check but one: an undeclared method answers 404 {"message":"Not Found"}, as API
        # Gateway (HTTP API) itself does for a method no route declares, not 405 with Allow.
        "--checks", "all", "--exclude-checks", "unsupported_method",
        "--seed", str(SEED), "--generation-deterministic", "--max-examples", str(MAX_EXAMPLES),
        # One worker: the dev server runs concurrent requests to one function on one shared
        # Powertools resolver, which a Lambda instance never does (one request at a time).
        "--workers", "1",
        "--report", "junit", "--report-dir", str(tmp_path / "report"),
    ]
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    print(run.stdout, run.stderr, f"schemathesis took {time.monotonic() - started:.0f} s", sep="\n")
    assert run.returncode == 0, f"schemathesis found failures (exit {run.returncode}); its report is above"


def sign_in(server: Http) -> dict[str, str]:
    """Access tokens of the demo owner, an operator and a customer created, invited and claimed
    through the API, as the stories go."""
    staff = server.call("POST", "/v1/auth/login", OWNER)
    operator = server.call("POST", "/v1/auth/login", OPERATOR)
    assert staff.status == operator.status == 200, (staff.body, operator.body)
    owner = staff.json()["access_token"]
    created = server.call("POST", "/v1/customers", {"email": CUSTOMER_EMAIL, "first_name": "Fuzz",
                                                    "last_name": "Customer", "invite": True}, owner)
    assert created.status == 201, created.body
    outbox = server.call("GET", f"/_local/outbox?to={urllib.parse.quote(CUSTOMER_EMAIL)}").json()
    link = urllib.parse.urlsplit(outbox[0]["links"][0])
    token = urllib.parse.parse_qs(link.query)["token"][0]
    claimed = server.call("POST", "/v1/auth/claim", {"token": token, "password": CUSTOMER_PASSWORD})
    assert claimed.status == 200, claimed.body
    return {"staff": owner, "operator": operator.json()["access_token"],
            "customer": claimed.json()["access_token"]}


def schemathesis_config(tokens: dict[str, str]) -> str:
    lines = [
        'hooks = "tests.e2e.test_contract_fuzz"',
        "",
        "[cache]",
        "enabled = false  # no replay of earlier runs' requests (.schemathesis/): each run stands alone",
        "",
        "[phases.coverage]",
        # Undeclared methods are still sent (and must not answer 5xx), except the two that
        # http.server, under the dev server, answers 501 itself without reaching the gateway.
        'unexpected-methods = ["get", "put", "post", "delete", "options", "patch"]',
        "",
        "[phases.stateful]",
        f"max-steps = {STATEFUL_STEPS}",
    ]
    for group, path_regex in TOKEN_FOR_PATHS.items():
        lines += ["", "[[operations]]", f"include-path-regex = {json.dumps(path_regex)}",
                  f"headers = {{ Authorization = {json.dumps('Bearer ' + tokens[group])} }}"]
    for (method, path), extra in STATE_DEPENDENT.items():
        lines += ["", "[[operations]]", f"include-name = {json.dumps(f'{method} {path}')}",
                  f"checks.positive_data_acceptance.expected-statuses = {json.dumps(DEFAULT_ACCEPTED + extra)}"]
    return "\n".join(lines) + "\n"
