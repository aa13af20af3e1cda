"""Part 4: what a monthly active customer costs on AWS, from the calls part 2 counted and the warm
durations measured here in-process, at the list prices of bench/prices.toml. The month: staff
create the customer and send one invite, the customer claims the account, logs in five times and
refreshes ten times (each visit that outlasts its hour-long access token, or comes back within
30 days without a login). Fixed monthly costs (the KMS key, storage, backups, logs, X-Ray traces) are not per
customer and are left out."""

from __future__ import annotations

import math
import statistics
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.calls import capacity, table_shapes
from bench.roundtrips import Action
from bench.samples import sample, varied
from bench.world import World, unique
from local.template import resources, template

PRICES = Path(__file__).with_name("prices.toml")
GOAL = 0.0003  # USD per monthly active customer
MONTH = {"create customer": 1, "invite": 1, "claim": 1, "login": 5, "refresh": 10}
RUNS = 15  # warm runs per action (median), after one warm-up


def prices() -> dict[str, Any]:
    with PRICES.open("rb") as file:
        return tomllib.load(file)


def unit_price(table: dict[str, Any], name: str) -> float:
    entry = table[name]
    return float(entry["usd"]) / float(entry["per"])


def _timed(world: World, event: dict[str, Any], expected: int) -> float:
    started = time.perf_counter()
    status, body = world.send(event)
    elapsed = (time.perf_counter() - started) * 1000
    if status != expected:
        raise RuntimeError(f"{event['routeKey']}: HTTP {status} {body}")
    return elapsed


def durations(world: World, progress: Callable[[str], None]) -> dict[str, list[float]]:
    """Warm handler durations (ms) of the month's actions, in this process, as part 2 sent them."""
    owner = world.owner_token
    progress(f"durations: {RUNS + 1} warm runs each of create, invite, claim, login, refresh")
    links = [world.invited_customer()[2] for _ in range(RUNS + 1)]
    invitee = world.create_customer()
    customer_id, email, _ = world.claimed_customer()
    makers: dict[str, tuple[Callable[[], dict[str, Any]], int]] = {
        "create customer": (lambda: varied(sample("create_customer", access_token=owner),
                                           body={"email": f"{unique('cost-')}@example.com"},
                                           headers={"idempotency-key": unique("cost-create-")}), 201),
        "invite": (lambda: varied(sample("invite", access_token=owner, customer_id=invitee),
                                  headers={"idempotency-key": unique("cost-invite-")}), 202),
        "claim": (lambda: sample("claim", link_token=links.pop()), 200),
        "login": (lambda: world.customer_login_event(email), 200),
        "refresh": (lambda: sample("refresh", refresh_token=world.new_session(customer_id).refresh_token), 200),
    }
    measured: dict[str, list[float]] = {name: [] for name in makers}
    for run in range(RUNS + 1):  # interleaved, so drift spreads over every action alike
        for name, (make, expected) in makers.items():
            elapsed = _timed(world, make(), expected)
            if run:
                measured[name].append(elapsed)
    return measured


@dataclass
class ActionCost:
    name: str
    per_month: int
    function: str
    memory_mb: int
    duration_ms: float
    gb_seconds: float
    rru: float
    wru: float
    signs: int
    emails: int
    usd: float  # one request

    @property
    def usd_month(self) -> float:
        return self.usd * self.per_month


@dataclass
class MonthCost:
    actions: list[ActionCost]
    prices: dict[str, Any]

    @property
    def per_mau(self) -> float:
        return sum(action.usd_month for action in self.actions)

    def share(self, part: str) -> float:
        """USD per MAU spent on one kind of charge."""
        p = self.prices
        total = 0.0
        for action in self.actions:
            total += action.per_month * {
                "lambda": action.gb_seconds * unit_price(p, "lambda_arm64_duration")
                + unit_price(p, "lambda_requests"),
                "http api": unit_price(p, "http_api_requests"),
                "dynamodb": action.rru * unit_price(p, "dynamodb_read_request_units")
                + action.wru * unit_price(p, "dynamodb_write_request_units"),
                "kms": action.signs * unit_price(p, "kms_asymmetric_sign"),
                "ses": action.emails * unit_price(p, "ses_email"),
            }[part]
        return total


def memory_of(logical_id: str) -> int:
    default = template().get("Globals", {}).get("Function", {}).get("MemorySize", 128)
    return int(resources("AWS::Serverless::Function")[logical_id].get("MemorySize", default))


def compute(world: World, actions: list[Action], measured: dict[str, list[float]]) -> MonthCost:
    table = prices()
    shapes = table_shapes()
    by_name = {action.name: action for action in actions}
    costed = []
    for name, per_month in MONTH.items():
        action = by_name[name]
        assert action.route is not None
        matched = world.gateway.match(*action.route)
        assert matched is not None, action.route
        function = matched[1].logical_id
        memory = memory_of(function)
        duration = statistics.median(measured[name])
        gb_seconds = math.ceil(duration) / 1000 * memory / 1024  # billed per started millisecond
        rru = sum(capacity(call, shapes)[0] for call in action.warm)
        wru = sum(capacity(call, shapes)[1] for call in action.warm)
        signs = sum(1 for call in action.warm if call.service == "kms" and call.operation == "Sign")
        emails = sum(len(call.params.get("Destination", {}).get("ToAddresses", [])) for call in action.warm
                     if call.operation == "SendEmail")
        usd = (gb_seconds * unit_price(table, "lambda_arm64_duration") + unit_price(table, "lambda_requests")
               + unit_price(table, "http_api_requests")
               + rru * unit_price(table, "dynamodb_read_request_units")
               + wru * unit_price(table, "dynamodb_write_request_units")
               + signs * unit_price(table, "kms_asymmetric_sign") + emails * unit_price(table, "ses_email"))
        costed.append(ActionCost(name, per_month, function, memory, duration, gb_seconds, rru, wru, signs, emails,
                                 usd))
    return MonthCost(costed, table)
