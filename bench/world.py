"""The service as its callers see it, in this process: the handlers behind the API Gateway
emulation of the dev server (local.server.Gateway), against whatever AWS the environment points
at (the moto server of part 1, or moto's in-process mock of parts 2 to 4)."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from functools import cache
from itertools import count
from typing import TYPE_CHECKING, Any

from bench.samples import as_request, sample, varied
from local.aws import REGION
from local.lambdas import handler_of
from local.server import Gateway
from local.template import functions

if TYPE_CHECKING:
    from handover.identity.sessions import IssuedToken

DEMO_OWNER = {"realm": "staff", "account": "demo", "email": "owner@demo.example", "password": "Owner-Passw0rd!"}
OPERATOR = {"realm": "operator", "email": "operator@example.com", "password": "Operator-Passw0rd!"}
CUSTOMER_PASSWORD = "Sunny-Harbour-42"

_unique = count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_unique)}"


@cache
def load_handlers() -> None:
    """Import every handler once, with the function environment in place (Powertools reads its
    service name and metrics namespace at import), as the dev server does; and send the log lines
    of the handlers running in this process to /dev/null: still formatted and written, so still
    in the durations, but not mixed into the tables."""
    for function in functions():
        handler_of(function)
    for name in {os.environ.get("POWERTOOLS_SERVICE_NAME", "handover"), "handover"}:
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(_SINK)


_SINK = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


@contextmanager
def quiet() -> Iterator[None]:
    """Handlers' prints (Powertools writes metrics with print) go to /dev/null meanwhile."""
    with redirect_stdout(_SINK):
        yield


class World:
    def __init__(self) -> None:
        load_handlers()
        self.gateway = Gateway(functions())
        self.owner_token = self.login(DEMO_OWNER)
        self.operator_token = self.login(OPERATOR)
        self.account_id = self._account_id("demo")

    # -- HTTP ------------------------------------------------------------------------------------

    def send(self, event: dict[str, Any]) -> tuple[int, Any]:
        """Send an HTTP API event's request through the gateway: (status, parsed body or None)."""
        method, target, headers, body, source_ip = as_request(event)
        with quiet():
            status, _, raw = self.gateway.invoke(method, target, headers, body, source_ip)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def call(self, method: str, target: str, body: Any = None, *, token: str | None = None) -> tuple[int, Any]:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        with quiet():
            status, _, raw = self.gateway.invoke(method, target, headers, json.dumps(body).encode() if body else b"")
        return status, json.loads(raw) if raw else None

    def expect(self, wanted: int, reply: tuple[int, Any], what: str) -> Any:
        status, body = reply
        if status != wanted:
            raise RuntimeError(f"{what}: HTTP {status} {body}")
        return body

    # -- the story ---------------------------------------------------------------------------------

    def login(self, credentials: dict[str, str]) -> str:
        body = self.expect(200, self.call("POST", "/v1/auth/login", credentials), "login")
        token: str = body["access_token"]
        return token

    def _account_id(self, nickname: str) -> str:
        from handover.runtime import runtime

        account = runtime().directory.accounts.by_nickname(nickname)
        if account is None:
            raise RuntimeError(f"no business {nickname!r}: was the seed loaded?")
        return account.id

    def create_customer(self, email: str | None = None) -> str:
        email = email or f"{unique('customer-')}@example.com"
        body = self.expect(201, self.call("POST", "/v1/customers", {"email": email, "first_name": "Jane",
                                                                  "last_name": "Doe"}, token=self.owner_token),
                           "create customer")
        customer_id: str = body["customer"]["id"]
        return customer_id

    def invite(self, customer_id: str, email: str) -> str:
        """Send the invite; the link token that the email carries."""
        self.expect(202, self.call("POST", f"/v1/customers/{customer_id}/invite", {}, token=self.owner_token),
                    "invite")
        return last_link_token(email)

    def invited_customer(self) -> tuple[str, str, str]:
        """(customer id, email, link token) of a new, invited customer."""
        email = f"{unique('invited-')}@example.com"
        customer_id = self.create_customer(email)
        return customer_id, email, self.invite(customer_id, email)

    def claimed_customer(self) -> tuple[str, str, str]:
        """(customer id, email, access token) of a new customer who has claimed the account."""
        customer_id, email, link = self.invited_customer()
        body = self.expect(200, self.call("POST", "/v1/auth/claim", {"token": link, "password": CUSTOMER_PASSWORD}),
                           "claim")
        return customer_id, email, body["access_token"]

    def new_session(self, customer_id: str) -> IssuedToken:
        """A new session of the customer's, signed in in-process (no password, not timed)."""
        from handover.runtime import runtime

        customer = runtime().directory.customers.get(self.account_id, customer_id)
        assert customer is not None
        return runtime().session_book.sign_in(customer)

    def customer_login_event(self, email: str, password: str = CUSTOMER_PASSWORD) -> dict[str, Any]:
        return varied(sample("login"), body={"realm": "customer", "account": "demo", "email": email,
                                             "password": password})


def last_link_token(to: str) -> str:
    """The link in the newest email to `to` that SES (moto, in this process) accepted."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    for message in reversed(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages):
        if message.destinations["ToAddresses"][0] == to:
            found = re.search(r"token=([A-Za-z0-9_-]+)", message.body)
            if found:
                return found.group(1)
    raise RuntimeError(f"no email with a link to {to}")
