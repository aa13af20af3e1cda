# ruff: noqa: E501 - the table is wider than a line of code, and reads best unbroken
"""Who may do what: every route of the API against every kind of caller.

The table below IS the documentation. Each row is a route (with the object it acts on), each
column a kind of caller, each cell the status that caller gets. Every row runs in a fresh world
(AWS in moto, the seed data, the callers below), the callers in column order.

Callers:
  anon   no token                         cust   a claimed, verified customer of Demo Studio
  unver  a customer whose email was never verified (a validly signed token)
  read   Demo staff with customers:read   write  Demo staff with customers:read + write
  owner  Demo's owner                     other  the owner of Harbour Clinic (another business)
  oper   an operator (no Secure role)     secop  an operator with the Secure role
  imp    an operator logged in as Demo's owner (login-as token, `act`)
  exp    Demo owner's token, expired      prelk  a customer token issued before a lock and unlock
  none   `alg: none`                      hs256  HS256 signed with the public key as secret
  tamp   the owner's token with its payload changed (signature kept)
  out    a session of Demo's owner that logged out   rvk   a session of Demo's owner ended because its
                                                           spent refresh token was presented again

Objects: `victim` is an unclaimed customer of Demo Studio; `member` an unclaimed staff member of
Demo Studio (the `write` caller); `target` a business that is not secure, whose owner has not
claimed it; `clinic` the secure Harbour Clinic; `job` a queued import of Demo Studio (a cancel
row's callers after the one that cancelled it find it finished: 409 job_finished). Public routes ignore tokens; their bodies are fixed
(a valid login, a live invite link to read, unknown link tokens to claim and reset, an unknown
refresh token). Logging out ends only the caller's session (the owner's leaves `imp` working). The
hosted pages never read a bearer token: their forms need the page's CSRF cookie (403 without it),
/account its session cookie (a 303 to /login without it), and a page without a link token says the
link is dead (410). A DELETE row's
callers after the one that deleted find the object gone (404).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from handover.accounts.businesses import Person
from handover.data.jobs import JobActor, JobRecord
from handover.data.principals import CustomerRecord
from handover.errors import RefreshInvalid
from handover.identity.sessions import Act, Sessions
from handover.ids import new_id
from handover.runtime import Runtime

from local.template import ROOT, functions
from tests.conftest import GOOD_PASSWORD, Api, last_link_token

OPENAPI = ROOT / "functions" / "docs" / "openapi.json"
CALLERS = ["anon", "cust", "unver", "read", "write", "owner", "other", "oper", "secop", "imp", "exp", "prelk",
           "none", "hs256", "tamp", "out", "rvk"]

MATRIX = """
route                                               anon cust unver read write owner other oper secop imp exp prelk none hs256 tamp out rvk
POST /v1/auth/login                                  200  200  200  200  200   200   200  200  200  200 200  200  200  200  200  200  200
POST /v1/auth/refresh                                401  401  401  401  401   401   401  401  401  401 401  401  401  401  401  401  401
POST /v1/auth/logout                                 401  204  401  204  204   204   204  204  204  204 401  401  401  401  401  401  401
GET /v1/auth/links/{link}                            200  200  200  200  200   200   200  200  200  200 200  200  200  200  200  200  200
POST /v1/auth/claim                                  410  410  410  410  410   410   410  410  410  410 410  410  410  410  410  410  410
POST /v1/auth/password/forgot                        202  202  202  202  202   202   202  202  202  202 202  202  202  202  202  202  202
POST /v1/auth/password/reset                         410  410  410  410  410   410   410  410  410  410 410  410  410  410  410  410  410
GET /.well-known/jwks.json                           200  200  200  200  200   200   200  200  200  200 200  200  200  200  200  200  200
GET /openapi.json                                    200  200  200  200  200   200   200  200  200  200 200  200  200  200  200  200  200
GET /docs                                            200  200  200  200  200   200   200  200  200  200 200  200  200  200  200  200  200
GET /claim                                           410  410  410  410  410   410   410  410  410  410 410  410  410  410  410  410  410
POST /claim                                          403  403  403  403  403   403   403  403  403  403 403  403  403  403  403  403  403
GET /reset                                           410  410  410  410  410   410   410  410  410  410 410  410  410  410  410  410  410
POST /reset                                          403  403  403  403  403   403   403  403  403  403 403  403  403  403  403  403  403
POST /fresh-link                                     403  403  403  403  403   403   403  403  403  403 403  403  403  403  403  403  403
GET /forgot                                          200  200  200  200  200   200   200  200  200  200 200  200  200  200  200  200  200
POST /forgot                                         403  403  403  403  403   403   403  403  403  403 403  403  403  403  403  403  403
GET /login                                           200  200  200  200  200   200   200  200  200  200 200  200  200  200  200  200  200
POST /login                                          403  403  403  403  403   403   403  403  403  403 403  403  403  403  403  403  403
GET /account                                         303  303  303  303  303   303   303  303  303  303 303  303  303  303  303  303  303
POST /account                                        303  303  303  303  303   303   303  303  303  303 303  303  303  303  303  303  303
POST /account/password                               303  303  303  303  303   303   303  303  303  303 303  303  303  303  303  303  303
POST /account/sign-out                               303  303  303  303  303   303   303  303  303  303 303  303  303  303  303  303  303
GET /pages/{asset}                                   200  200  200  200  200   200   200  200  200  200 200  200  200  200  200  200  200
POST /v1/customers                                   401  403  401  403  201   201   201  403  403  201 401  401  401  401  401  401  401
GET /v1/customers                                    401  403  401  200  200   200   200  403  403  200 401  401  401  401  401  401  401
GET /v1/customers/{victim}                           401  403  401  200  200   200   404  403  403  200 401  401  401  401  401  401  401
GET /v1/customers/{victim}/bookings                  401  403  401  200  200   200   404  403  403  200 401  401  401  401  401  401  401
PATCH /v1/customers/{victim}                         401  403  401  403  200   200   404  403  403  200 401  401  401  401  401  401  401
POST /v1/customers/{victim}/invite                   401  403  401  403  202   202   404  403  403  202 401  401  401  401  401  401  401
POST /v1/customers/{victim}/password-reset           401  403  401  403  202   202   404  403  403  202 401  401  401  401  401  401  401
PUT /v1/customers/{victim}/password                  401  403  401  403  204   204   404  403  403  403 401  401  401  401  401  401  401
POST /v1/customers/{victim}/lock                     401  403  401  403  200   200   404  403  403  200 401  401  401  401  401  401  401
POST /v1/customers/{victim}/unlock                   401  403  401  403  200   200   404  403  403  200 401  401  401  401  401  401  401
POST /v1/customers/imports                           401  403  401  403  202   202   202  403  403  202 401  401  401  401  401  401  401
POST /v1/customers/invites                           401  403  401  403  202   202   202  403  403  202 401  401  401  401  401  401  401
POST /v1/customers/imports/uploads                   401  403  401  403  201   201   201  403  403  201 401  401  401  401  401  401  401
GET /v1/jobs                                         401  403  401  200  200   200   200  403  403  200 401  401  401  401  401  401  401
GET /v1/jobs/{job}                                   401  403  401  200  200   200   404  403  403  200 401  401  401  401  401  401  401
GET /v1/jobs/{job}/errors                            401  403  401  200  200   200   404  403  403  200 401  401  401  401  401  401  401
POST /v1/jobs/{job}/cancel                           401  403  401  403  200   409   404  403  403  409 401  401  401  401  401  401  401
GET /v1/me                                           401  200  401  403  403   403   403  403  403  403 401  401  401  401  401  401  401
PATCH /v1/me                                         401  200  401  403  403   403   403  403  403  403 401  401  401  401  401  401  401
PUT /v1/me/password                                  401  200  401  403  403   403   403  403  403  403 401  401  401  401  401  401  401
GET /v1/staff                                        401  403  401  403  403   200   200  403  403  200 401  401  401  401  401  401  401
POST /v1/staff                                       401  403  401  403  403   201   201  403  403  201 401  401  401  401  401  401  401
GET /v1/staff/{member}                               401  403  401  403  403   200   404  403  403  200 401  401  401  401  401  401  401
PATCH /v1/staff/{member}                             401  403  401  403  403   200   404  403  403  200 401  401  401  401  401  401  401
POST /v1/staff/{member}/invite                       401  403  401  403  403   202   404  403  403  202 401  401  401  401  401  401  401
DELETE /v1/staff/{member}                            401  403  401  403  403   204   404  403  403  404 401  401  401  401  401  401  401
GET /v1/settings                                     401  403  401  403  403   200   200  403  403  200 401  401  401  401  401  401  401
PATCH /v1/settings                                   401  403  401  403  403   200   200  403  403  200 401  401  401  401  401  401  401
GET /v1/settings/custom-fields                       401  403  401  403  403   200   200  403  403  200 401  401  401  401  401  401  401
PUT /v1/settings/custom-fields                       401  403  401  403  403   200   200  403  403  200 401  401  401  401  401  401  401
POST /v1/operator/accounts/{target}/lock             401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{target}/unlock           401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{target}/login-as         401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{target}/owner/password-reset 401 403 401 403 403   403   403  202  202  403 401  401  401  401  401  401  401
GET /v1/operator/accounts/{target}/history           401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
GET /v1/operator/accounts/{target}/staff             401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{target}/owner/invite     401  403  401  403  403   403   403  202  202  403 401  401  401  401  401  401  401
GET /v1/operator/accounts/{target}/activity          401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{target}/setup-complete   401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
GET /v1/operator/operators                           401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{clinic}/lock             401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{clinic}/unlock           401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{clinic}/login-as         401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{clinic}/owner/password-reset 401 403 401 403 403   403   403  403  202  403 401  401  401  401  401  401  401
GET /v1/operator/accounts/{clinic}/history           401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts                           401  403  401  403  403   403   403  201  201  403 401  401  401  401  401  401  401
GET /v1/operator/accounts                            401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
GET /v1/operator/accounts/{target}                   401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
PATCH /v1/operator/accounts/{target}                 401  403  401  403  403   403   403  200  200  403 401  401  401  401  401  401  401
GET /v1/operator/accounts/{clinic}                   401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
PATCH /v1/operator/accounts/{clinic}                 401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
GET /v1/operator/accounts/{clinic}/staff             401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{clinic}/owner/invite     401  403  401  403  403   403   403  403  409  403 401  401  401  401  401  401  401
GET /v1/operator/accounts/{clinic}/activity          401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
POST /v1/operator/accounts/{clinic}/setup-complete   401  403  401  403  403   403   403  403  200  403 401  401  401  401  401  401  401
"""


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: dict[str, int]

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


def _rows() -> list[Row]:
    lines = [line for line in MATRIX.strip().splitlines()[1:] if line.strip()]
    rows = []
    for line in lines:
        method, path, *statuses = line.split()
        assert len(statuses) == len(CALLERS), line
        rows.append(Row(method, path, dict(zip(CALLERS, map(int, statuses), strict=True))))
    return rows


ROWS = _rows()
SIZE = f"{len(ROWS)} routes x {len(CALLERS)} callers = {len(ROWS) * len(CALLERS)} cells"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class World:
    """The seed data plus the objects and callers the table speaks of."""

    def __init__(self, rt: Runtime, api: Api) -> None:
        self.rt = rt
        directory = rt.directory
        accounts = rt.accounts
        demo = directory.accounts.by_nickname("demo")
        clinic = directory.accounts.by_nickname("clinic")
        assert demo and clinic
        target, _ = accounts.open(name="Target Co", nickname="target",
                                  owner=Person("owner@target.example", "Tara", "Get"))
        writer = accounts.add_staff(demo, Person("writer@demo.example", "Will", "Rite"),
                                    ["customers:read", "customers:write"])
        password_hash = rt.passwords.hash(GOOD_PASSWORD)

        def customer(email: str, verified: bool) -> CustomerRecord:
            record = CustomerRecord(id=new_id(), account_id=demo.id,
                                    email=email, first_name="C", last_name="X", password_hash=password_hash,
                                    email_verified=verified, status="active" if verified else "unclaimed",
                                    created_at=0, updated_at=0)
            rt.dynamo.transact(directory.principals.add(record))
            return record

        me = customer("me@example.com", verified=True)
        unverified = customer("unverified@example.com", verified=False)
        relocked = customer("relocked@example.com", verified=True)
        self.victim = api.create_customer(rt.sessions.issue_for(self._staff(demo.id, demo.id), demo).access_token,
                                          "victim@example.com")
        victim = directory.customers.get(demo.id, self.victim["id"])
        assert victim is not None
        rt.link_mailer.send("invite", demo, victim)
        self.link = last_link_token("victim@example.com")

        operators = {op.secure: op for op in (directory.principals.login_candidates("operator", None, email)[0]
                                              for email in ("operator@example.com", "helpdesk@example.com"))
                     if op is not None}
        issue = rt.sessions.issue_for
        owner_token = issue(self._staff(demo.id, demo.id), demo).access_token
        prelock_token = issue(relocked).access_token
        rt.dynamo.transact([directory.customers.lock(relocked, None, 1, _never)])
        locked = directory.customers.get(demo.id, relocked.id)
        assert locked is not None
        rt.dynamo.transact([directory.customers.unlock(locked, "active", 2, _never)])
        expired = Sessions(rt.signer, issuer=rt.settings.token_issuer, audience=rt.settings.token_audience,
                           lifetime=3600, clock=lambda: time.time() - 7200)
        frontdesk = directory.principals.login_candidates("staff", demo.id, "frontdesk@demo.example")[0]
        assert frontdesk is not None
        header, payload, _ = owner_token.split(".")
        public_pem = rt.signer.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        hs_header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": rt.signer.key_id}).encode())
        hs_mac = hmac.new(public_pem, f"{hs_header}.{payload}".encode(), hashlib.sha256).digest()
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["perms"] = [*claims["perms"], "operator"]
        tampered = f"{header}.{_b64(json.dumps(claims).encode())}.{owner_token.split('.')[2]}"
        alg_none = f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT', 'kid': rt.signer.key_id}).encode())}.{payload}."
        logged_out = rt.session_book.sign_in(self._staff(demo.id, demo.id), demo)
        assert api.call("POST", "/v1/auth/logout", {}, token=logged_out.access_token).status == 204
        revoked = rt.session_book.sign_in(self._staff(demo.id, demo.id), demo)
        rt.session_book.refresh(revoked.refresh_token)
        with pytest.raises(RefreshInvalid):
            rt.session_book.refresh(revoked.refresh_token)
        self.tokens: dict[str, str | None] = {
            "anon": None,
            "cust": issue(me).access_token,
            "unver": issue(unverified).access_token,
            "read": issue(frontdesk, demo).access_token,
            "write": issue(writer, demo).access_token,
            "owner": owner_token,
            "other": issue(self._staff(clinic.id, clinic.id), clinic).access_token,
            "oper": issue(operators[False]).access_token,
            "secop": issue(operators[True]).access_token,
            "imp": issue(self._staff(demo.id, demo.id), demo, act=Act(sub=operators[True].id)).access_token,
            "exp": expired.issue_for(self._staff(demo.id, demo.id), demo).access_token,
            "prelk": prelock_token,
            "none": alg_none,
            "hs256": f"{hs_header}.{payload}.{_b64(hs_mac)}",
            "tamp": tampered,
            "out": logged_out.access_token,
            "rvk": revoked.access_token,
        }
        job = JobRecord(id=new_id(), account_id=demo.id, kind="import", status="queued", total=1,
                        created_by=JobActor(realm="staff", id=demo.id), created_at=0, expires_ttl=2_000_000_000)
        rt.dynamo.transact([rt.jobs.store.add(job)])
        self.ids = {"victim": self.victim["id"], "member": writer.id, "target": target.id, "clinic": clinic.id,
                    "link": self.link, "job": job.id, "asset": "pages.js"}

    def _staff(self, account_id: str, staff_id: str) -> Any:
        staff = self.rt.directory.staff.get(account_id, staff_id)
        assert staff is not None
        return staff

    def path(self, template: str) -> str:
        for name, value in self.ids.items():
            template = template.replace("{" + name + "}", value)
        return template

    def body(self, row: Row, caller: str) -> Any:
        bodies: dict[str, Any] = {
            "POST /v1/auth/login": {"realm": "staff", "account": "demo", "email": "owner@demo.example",
                                    "password": "Owner-Passw0rd!"},
            "POST /v1/auth/claim": {"token": "unknown-link-token", "password": GOOD_PASSWORD},
            "POST /v1/auth/refresh": {"refresh_token": "unknown-refresh-token"},
            "POST /v1/auth/password/forgot": {"realm": "customer", "account": "demo", "email": "me@example.com"},
            "POST /v1/auth/password/reset": {"token": "unknown-link-token", "password": GOOD_PASSWORD},
            "POST /v1/customers": {"email": f"new-{caller}@example.com", "first_name": "N", "last_name": "C"},
            "POST /v1/customers/imports": {"rows": [{"email": f"new-{caller}@example.com", "first_name": "N",
                                                     "last_name": "C"}]},
            "POST /v1/customers/invites": {"ids": [f"no-such-customer-{caller}"]},
            "PUT /v1/customers/{victim}/password": {"password": "Quiet-Meadow-Lamp-8"},
            "PATCH /v1/customers/{victim}": {"phone": "+44 20 7946 0000"},
            "PATCH /v1/me": {"phone": "+44 20 7946 0000"},
            "PUT /v1/me/password": {"current_password": GOOD_PASSWORD, "new_password": "Quiet-Meadow-Lamp-8"},
            "PATCH /v1/settings": {"brand_color": "#0a7c3e"},
            "POST /v1/operator/accounts": {"name": "New Co", "nickname": f"new-{caller}",
                                           "owner": {"email": f"owner-{caller}@new.example", "first_name": "N",
                                                     "last_name": "Ew"}},
            "PATCH /v1/operator/accounts/{target}": {"note": f"seen by {caller}"},
            "PATCH /v1/operator/accounts/{clinic}": {"note": f"seen by {caller}"},
            "POST /v1/staff": {"email": f"new-{caller}@demo.example", "first_name": "N", "last_name": "S",
                               "perms": ["customers:read"]},
            "PATCH /v1/staff/{member}": {"first_name": "Willa"},
            "PUT /v1/settings/custom-fields": {"fields": [{"key": "tier", "label": "Tier", "type": "string",
                                                           "required": False, "customer_editable": False}]},
        }
        return bodies.get(row.route, {} if row.method in ("POST", "PUT") else None)


def test_the_matrix_covers_every_route_of_the_template() -> None:
    # Every routed path of template.yaml has a row (the objects filled in), and nothing else does
    def generic(path: str) -> str:
        for name in ("victim", "member", "target", "clinic", "job"):
            path = path.replace("{" + name + "}", "{id}")
        return path.replace("{link}", "{token}")

    routed = {f"{route.method} {route.path}" for function in functions() for route in function.routes}
    assert {f"{row.method} {generic(row.path)}" for row in ROWS} == routed, SIZE


@pytest.mark.parametrize("row", ROWS, ids=[f"{row.route} ({SIZE})" for row in ROWS])
def test_authorization_matrix(row: Row, api: Api, seeded: Runtime) -> None:
    # Given a fresh world with every kind of caller
    world = World(seeded, api)

    # When each caller, in column order, calls the route
    got, challenges = {}, {}
    for number, caller in enumerate(CALLERS):
        status, headers = _call(api, world, row, caller, world.body(row, caller), number)
        got[caller] = status
        challenges[caller] = headers.get("www-authenticate", "")

    # Then every cell is what the table says, and every 401 says how to authenticate (RFC 6750)
    differences = {caller: f"expected {row.expected[caller]}, got {got[caller]}" for caller in CALLERS
                   if got[caller] != row.expected[caller]}
    assert not differences, f"{row.route}: {differences}"
    unchallenged = [caller for caller in CALLERS if got[caller] == 401
                    and not challenges[caller].startswith('Bearer realm="handover"')]
    assert not unchallenged, f"{row.route}: a 401 without WWW-Authenticate for {unchallenged}"


REFUSED = (401, 403)
# Refusals decided with the object, once it is read (after the body is validated): Harbour Clinic
# is secure (an operator without the Secure role is refused it), and an operator acting as the
# owner may not set a customer's password. Every other 401 and 403 comes before validation.
WITH_THE_OBJECT = {("PUT /v1/customers/{victim}/password", "imp"), ("PATCH /v1/operator/accounts/{clinic}", "oper"),
                   ("POST /v1/operator/accounts/{clinic}/lock", "oper"),
                   ("POST /v1/operator/accounts/{clinic}/unlock", "oper"),
                   ("POST /v1/operator/accounts/{clinic}/login-as", "oper")}


def test_refused_callers_never_learn_the_body_rules(api: Api, seeded: Runtime) -> None:
    """The invalid-body column: on every route that takes a body and a token, each caller the
    table refuses (401, 403: anonymous, a bad token, the wrong realm, a missing permission) is
    refused the same with a body that fails validation, never 422; a caller it allows gets 422 for
    that body (so the body is invalid indeed). Nothing is written, so one world serves every row."""
    world = World(seeded, api)
    document = json.loads(OPENAPI.read_text())
    wrong: dict[str, dict[str, str]] = {}
    checked = 0
    for row in ROWS:
        operation = _operation(document, row)
        fields = _body_fields(document, operation)
        if not operation.get("security") or not fields:
            continue  # a public route (its body rules are for anyone), or a route without a body
        invalid = {name: [[1]] for name in fields}  # a type no field of the API takes
        for number, caller in enumerate(CALLERS):
            expected = row.expected[caller]
            if (row.route, caller) in WITH_THE_OBJECT or not (expected in REFUSED or 200 <= expected < 300):
                continue
            status, _ = _call(api, world, row, caller, invalid, number)
            checked += expected in REFUSED
            wanted = expected if expected in REFUSED else 422
            if status != wanted:
                wrong.setdefault(row.route, {})[caller] = f"expected {wanted}, got {status}"
    assert not wrong, json.dumps(wrong, indent=1)
    assert checked > 300, checked  # every refused cell of the routes with a body


def _operation(document: dict[str, Any], row: Row) -> dict[str, Any]:
    """The route's operation in the OpenAPI document (none for the documents themselves)."""
    paths = [path for path in document["paths"] if _generic(path) == _generic(row.path)]
    operation: dict[str, Any] = document["paths"][paths[0]][row.method.lower()] if paths else {}
    return operation


def _body_fields(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    """The names of the fields the operation's JSON body may have."""
    def fields(node: dict[str, Any]) -> set[str]:
        if "$ref" in node:
            return fields(document["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]])
        found = set(node.get("properties", {}))
        for key in ("oneOf", "anyOf", "allOf"):
            for part in node.get(key, []):
                found |= fields(part)
        return found

    content = operation.get("requestBody", {}).get("content", {})
    return fields(content["application/json"]["schema"]) if "application/json" in content else set()


def _generic(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _call(api: Api, world: World, row: Row, caller: str, body: Any, number: int) -> tuple[int, dict[str, str]]:
    headers = {"content-type": "application/json"}
    if world.tokens[caller]:
        headers["authorization"] = f"Bearer {world.tokens[caller]}"
    status, answered, _ = api.gateway.invoke(row.method, world.path(row.path), headers,
                                             json.dumps(body).encode() if body is not None else b"",
                                             source_ip=f"192.0.2.{number + 1}")
    return status, {name.lower(): value for name, value in answered.items()}


def _never(_old: object) -> Exception:
    raise AssertionError("the world changed while it was being built")
