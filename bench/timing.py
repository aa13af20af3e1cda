"""Part 3: does an answer's timing tell whether an email exists? Login with a wrong password for
existing customers against unknown emails, and forgot-password for existing against unknown
emails; 50 tries each, interleaved, compared by their medians.

Failed logins are limited to five per (realm, business, email) in 15 minutes, so every try uses a
different email: 50 existing customers are written straight into the directory through the
layer (one precomputed password hash, verified, active), 50 emails exist nowhere. Forgot-password
is limited to ten per minute per source IP, so every try comes from another address."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.samples import sample, varied
from bench.world import World, unique

TRIES = 50
GOAL = (0.9, 1.1)
WRONG_PASSWORD = "Wrong-Passw0rd-9"


@dataclass
class Comparison:
    name: str
    existing: list[float] = field(default_factory=list)  # milliseconds
    unknown: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    expected: int = 0
    errors: list[str] = field(default_factory=list)  # bodies of unexpected answers

    @property
    def ratio(self) -> float:
        return statistics.median(self.existing) / statistics.median(self.unknown)

    @property
    def paired_ratio(self) -> float:
        """The median of existing/unknown over the interleaved pairs: less moved by load bursts."""
        return statistics.median(a / b for a, b in zip(self.existing, self.unknown, strict=False))

    @property
    def ok(self) -> bool:
        return self.statuses == {self.expected}


def existing_customers(count: int) -> list[str]:
    """`count` verified, active customers of the demo business, written directly (no invite and
    claim, no argon2 per customer): their emails."""
    from handover.data.principals import CustomerRecord
    from handover.ids import new_id
    from handover.runtime import runtime

    rt = runtime()
    account = rt.directory.accounts.by_nickname("demo")
    assert account is not None
    password_hash = rt.passwords.hash("Known-Passw0rd-1")
    emails = []
    for _ in range(count):
        now = int(time.time())
        email = f"{unique('timing-')}@example.com"
        customer = CustomerRecord(id=new_id(now), account_id=account.id, email=email, first_name="Tim",
                                  last_name="Ing", password_hash=password_hash, email_verified=True,
                                  status="active", created_at=now, updated_at=now)
        rt.dynamo.transact(rt.directory.principals.add(customer))
        emails.append(email)
    return emails


def _timed(world: World, event: dict[str, Any]) -> tuple[float, int, Any]:
    started = time.perf_counter()
    status, body = world.send(event)
    return (time.perf_counter() - started) * 1000, status, body


def _compare(world: World, comparison: Comparison, existing: list[dict[str, Any]],
             unknown: list[dict[str, Any]]) -> Comparison:
    """Interleave the tries, alternating which kind goes first; the first pair warms up."""
    for number, pair in enumerate(zip(existing, unknown, strict=True)):
        order = pair if number % 2 else pair[::-1]
        for event in order:
            elapsed, status, body = _timed(world, event)
            if number == 0:
                continue
            comparison.statuses.add(status)
            if status != comparison.expected:
                comparison.errors.append(f"HTTP {status}: {body}")
            (comparison.existing if event is pair[0] else comparison.unknown).append(elapsed)
    return comparison


def measure(world: World, progress: Callable[[str], None]) -> list[Comparison]:
    progress(f"timing: {TRIES + 1} existing customers")
    known = existing_customers(TRIES + 1)
    nobody = [f"{unique('nobody-')}@example.com" for _ in range(TRIES + 1)]

    progress("timing: login, wrong password vs unknown email")
    login = _compare(world, Comparison("login: wrong password vs unknown email", expected=401),
                     [world.customer_login_event(email, WRONG_PASSWORD) for email in known],
                     [world.customer_login_event(email, WRONG_PASSWORD) for email in nobody])

    progress("timing: forgot-password, existing vs unknown email")

    def forgot(email: str) -> dict[str, Any]:
        number = int(unique(""))
        return varied(sample("forgot_password"), body={"email": email},
                      source_ip=f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}")

    reset = _compare(world, Comparison("forgot-password: existing vs unknown email", expected=202),
                     [forgot(email) for email in known], [forgot(email) for email in nobody])
    return [login, reset]
