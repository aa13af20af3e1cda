"""Part 7: the operators' roll of client businesses at two sizes, and the round trips of each
operator action.

The roll is the platform's, so it is measured as the platform grows: the seed's businesses and
enough new ones to make 100, then enough more to make 5,000. A page (limit 25) of
`GET /v1/operator/accounts` with each filter (none, `status`, `q`, `tag`, `mine=true`, `q` with
`status`) counts its DynamoDB round trips and items read, as part 5 does for the directory.

The businesses are opened through the same code as an operator's open (`Accounts.open`, its clock
set to when each was opened, days to a year ago), then changed as the roster changes a business
(`Roster.revision`: tags, assigned operators, a lock, the last staff login or booking, at today's
clock), so their status, the counts, the due items and the search items are those a business
that lived that life would have. The writes are collected and the items they leave written
straight into moto, the counters added up once (the outbox events are left out: nothing here
reads them); what is measured, the page, goes through the handlers as any request does.

A list first re-derives what the calendar has moved (one Query on the due items): each business
is loaded with its next change days ahead, so nothing is due when the pages are read and that
Query reads nothing at either size; how many were due is checked and shown beside the pages.

Then each operator action and each of the owner's staff routes, through the handlers, as part 2
counts the customer actions: the first request of a fresh runtime and a warm one, the warm one
counted."""

from __future__ import annotations

import random
import time
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench.directory import Pages, batch_put, measure_page
from bench.roundtrips import Action, Counter, Request, twice
from bench.world import World, unique

SIZES = (100, 5_000)
LIMIT = 25
GOAL = 1.05  # the page at 5,000 businesses reads at most 5% more than at 100, in items and in round trips
DAY = 24 * 3600

FIRST_WORDS = ["Maple", "Marina", "Meadow", "Mosaic", "Monarch", "Mint", "Mango", "Mirror", "Mountain", "Metro",
               "Harbour", "Sunny", "Cedar", "Lotus", "Orchid", "Pine", "Bright", "Golden"]
SECOND_WORDS = ["Studio", "Clinic", "Salon", "Spa", "Fitness", "Yoga", "Dental", "Physio", "Barbers", "Academy",
                "Bakery", "Garden"]
OWNERS = ["Maria", "Martin", "Anna", "Noah", "Olivia", "Liam", "Emma", "Mateo", "Sofia", "Lucas", "Mia", "Hiro"]
# (tag, how often): a few tags shared across many businesses.
TAGS = [("wellness", 0.5), ("beauty", 0.3), ("trial", 0.15), ("enterprise", 0.1), ("partner-north", 0.2)]
# How many of each status, and how often the calling operator (and the other one) is assigned:
# enough of the 100 match every filter to fill a page (a full page is what is compared).
STATUSES = {"active": 55, "new": 18, "inactive": 18, "locked": 9}
MINE, OTHERS = 0.45, 0.35
QUERIES: dict[str, dict[str, str]] = {
    "neither": {},
    "status alone": {"status": "active"},
    "q alone": {"q": "m"},
    "tag alone": {"tag": "wellness"},
    "mine=true": {"mine": "true"},
    "q and status": {"q": "m", "status": "active"},
}
HELPDESK = {"realm": "operator", "email": "helpdesk@example.com", "password": "Helpdesk-Passw0rd!"}


@dataclass
class Roll:
    """What the roll held when a size's pages were read."""

    size: int
    counts: dict[str, int]
    due: int  # due items at measuring time (the list's first Query reads them)


@dataclass
class OperatorFigures(Pages):
    rolls: list[Roll] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def measure(progress: Callable[[str], None]) -> OperatorFigures:
    """In a world of its own (moto's in-process mock, seeded), so the roll is these businesses only."""
    from bench.aws import mocked

    with mocked():
        world = World()
        figures = OperatorFigures([])
        _roll(world, figures, progress)
        _actions(world, figures, progress)
    return figures


# -- the roll --------------------------------------------------------------------------------------


def _roll(world: World, figures: OperatorFigures, progress: Callable[[str], None]) -> None:
    from handover.runtime import runtime

    counter = Counter()
    operators = (_subject(world.operator_token), _subject(world.login(HELPDESK)))
    for size in SIZES:
        rt = runtime()
        present = sum(rt.roster.counts().values())
        progress(f"operators: {size - present:,} businesses more, {size:,} on the roll")
        _open_businesses(rt, size - present, present, operators, time.time())
        counts = rt.roster.counts()
        assert sum(counts.values()) == size, counts
        due = len(rt.directory.roster.overdue(int(time.time()), 100))
        figures.rolls.append(Roll(size, counts, due))
        for name, query in QUERIES.items():
            figures.pages.append(measure_page(
                world, counter, size=size, query=name, token=world.operator_token,
                target="/v1/operator/accounts?" + urlencode({**query, "limit": LIMIT}),
                warm_up=f"/v1/operator/accounts/{world.account_id}"))  # the same function, no Query
    runtime.cache_clear()


def _subject(token: str) -> str:
    import jwt

    subject: str = jwt.decode(token, options={"verify_signature": False})["sub"]
    return subject


class _Collected:
    """Stands for Dynamo where the businesses are opened: keeps the transactions' writes."""

    def __init__(self) -> None:
        self.writes: list[Any] = []

    def transact(self, writes: list[Any]) -> None:
        self.writes += writes


class _Clock:
    def __init__(self) -> None:
        self.at = time.time()

    def __call__(self) -> float:
        return self.at


def _open_businesses(rt: Any, count: int, first: int, operators: tuple[str, str], now: float) -> None:
    """`count` businesses, numbered from `first`, opened on past days and lived until `now`."""
    from handover.accounts.businesses import Accounts, Person

    collected, clock = _Collected(), _Clock()
    accounts = Accounts(dynamo=collected, directory=rt.directory, outbox=rt.outbox,  # type: ignore[arg-type]
                        roster=rt.roster, clock=clock)
    pick = random.Random(first)
    items: dict[str, list[dict[str, Any]]] = {}
    counts: Tally[str] = Tally()
    for number in range(first, first + count):
        status = pick.choices(list(STATUSES), weights=list(STATUSES.values()))[0]
        clock.at, last_active = _calendar(pick, status, now)
        words = pick.choice(FIRST_WORDS), pick.choice(SECOND_WORDS)
        owner = pick.choice(OWNERS)
        opened, _owner = accounts.open(
            name=" ".join(words), nickname=f"{words[0]}-{words[1]}-{number}".lower(),
            owner=Person(f"{owner.lower()}.{number}@{words[0].lower()}.example", owner, "Owner"),
            secure=pick.random() < 0.05)
        mine = [operator for operator, share in zip(operators, (MINE, OTHERS), strict=True) if pick.random() < share]
        changes = {"tags": [tag for tag, share in TAGS if pick.random() < share], "operators": mine,
                   "last_active_at": last_active, "in_setup": status == "new",
                   **({"locked": True, "locked_reason": "Unpaid subscription"} if status == "locked" else {})}
        lived, writes = rt.roster.revision(opened, changes, now, _never)
        assert lived.status == status, (lived.status, status)
        for table, item in _left(rt, [*collected.writes, *writes], lived, counts):
            items.setdefault(table, []).append(item)
        collected.writes.clear()
    for table, batch in items.items():
        batch_put(table, batch)
    _add_counts(rt, counts)


def _calendar(pick: random.Random, status: str, now: float) -> tuple[float, int | None]:
    """(opened at, last staff login or booking) for a business of `status` today, each at least
    two days from the 30-day line, so nothing the calendar moves falls due while the bench runs."""
    old = now - pick.uniform(35, 400) * DAY
    if status == "new":
        return now - pick.uniform(1, 28) * DAY, None
    if status == "active":
        return old, int(now - pick.uniform(0, 28) * DAY)
    if status == "inactive":
        return old, None if pick.random() < 0.5 else int(now - pick.uniform(32, 300) * DAY)
    return old, None  # locked


def _left(rt: Any, writes: list[Any], lived: Any, counts: Tally[str]) -> list[tuple[str, dict[str, Any]]]:
    """The items a business's writes leave, in wire format, by table; its counter moves added to
    `counts`. The account's own update is the business as it `lived`."""
    from handover.data.keys import account_key
    from handover.data.roster import counts_key

    state: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
    for write in writes:
        if write.table == rt.settings.outbox_table:
            continue
        where = (write.table, write.key_or_item["pk"], write.key_or_item["sk"])
        if write.kind == "Put":
            state[where] = (write.table, write.request()["Put"]["Item"])
        elif write.kind == "Delete":
            state.pop(where, None)
        elif write.kind == "Update" and write.key_or_item == counts_key():
            for name, status in write.names.items():
                counts[status] += write.values[":" + name.removeprefix("#")]
        elif write.kind == "Update" and write.key_or_item == account_key(lived.id):
            (put,) = [put for put in rt.directory.accounts.add(lived) if put.key_or_item["sk"] == "ACCOUNT"]
            state[where] = (write.table, put.request()["Put"]["Item"])
        else:
            raise RuntimeError(f"not expected when opening a business: {write.kind} {write.key_or_item}")
    return list(state.values())


def _add_counts(rt: Any, counts: Tally[str]) -> None:
    from handover.data.dynamo import update
    from handover.data.roster import counts_key

    moved = [(status, by) for status, by in counts.items() if by]
    if not moved:
        return
    rt.dynamo.transact([update(
        rt.directory.roster.table, counts_key(), "ADD " + ", ".join(f"#c{n} :c{n}" for n in range(len(moved))),
        names={f"#c{n}": status for n, (status, _by) in enumerate(moved)},
        values={f":c{n}": by for n, (_status, by) in enumerate(moved)})])


def _never(_old: Any) -> Any:
    raise AssertionError("the bench's writes are not conditioned")


# -- the actions -----------------------------------------------------------------------------------


def _actions(world: World, figures: OperatorFigures, progress: Callable[[str], None]) -> None:
    from handover.runtime import runtime

    counter = Counter()
    token = world.operator_token
    listed = world.expect(200, world.call("GET", "/v1/operator/accounts?status=active&limit=20", token=token),
                          "list")["items"]
    ids = iter([item["id"] for item in listed])

    def call(method: str, target: str, body: Any = None, as_token: str = token) -> Request:
        return lambda: world.call(method, target, body, token=as_token)

    def operator(name: str, route: tuple[str, str], expected: int, requests: list[Request], note: str = "") -> None:
        progress(f"operators: round trips, {name}")
        figures.actions.append(twice(counter, Action(name, None, expected, route, note=note), *requests))

    opened: list[str] = []

    def opening(template: str | None = None) -> Request:
        nickname = unique("bench-open-")

        def request() -> tuple[int, Any]:
            status, body = world.call("POST", "/v1/operator/accounts", {
                "name": "Bench Opened", "nickname": nickname, **({"template_id": template} if template else {}),
                "owner": {"email": f"{nickname}@example.com", "first_name": "Olga", "last_name": "Owner"}},
                token=token)
            if status == 201:
                opened.append(body["account"]["id"])
            return status, body

        return request

    one = next(ids)
    path = f"/v1/operator/accounts/{one}"
    template = next(ids)
    world.expect(200, world.call("PATCH", f"/v1/operator/accounts/{template}", {"is_template": True}, token=token),
                 "mark a template")
    operator("open a business", ("POST", "/v1/operator/accounts"), 201, [opening(), opening()],
             "owner created unclaimed")
    operator("open a business from a template", ("POST", "/v1/operator/accounts"), 201,
             [opening(template), opening(template)], "copies its package, slots, tags, settings, fields")
    operator("read a business", ("GET", "/v1/operator/accounts/{id}"), 200, [call("GET", path)] * 2)
    operator("change tags", ("PATCH", "/v1/operator/accounts/{id}"), 200,
             [call("PATCH", path, {"tags": ["wellness", unique("bench-")]}) for _ in range(2)],
             "PATCH tags: moves its tag search items")
    operator("rename the nickname", ("PATCH", "/v1/operator/accounts/{id}"), 200,
             [call("PATCH", path, {"nickname": unique("bench-renamed-")}) for _ in range(2)],
             "PATCH nickname: frees the old one in the transaction")
    operator("list (no filter)", ("GET", "/v1/operator/accounts"), 200,
             [call("GET", f"/v1/operator/accounts?limit={LIMIT}")] * 2, "page of 25 with the counts")
    locked = [next(ids), next(ids)]
    operator("lock a business", ("POST", "/v1/operator/accounts/{id}/lock"), 200,
             [call("POST", f"/v1/operator/accounts/{account}/lock", {"reason": "bench"}) for account in locked])
    operator("unlock a business", ("POST", "/v1/operator/accounts/{id}/unlock"), 200,
             [call("POST", f"/v1/operator/accounts/{account}/unlock", {}) for account in locked])
    operator("login-as", ("POST", "/v1/operator/accounts/{id}/login-as"), 200,
             [call("POST", f"{path}/login-as", {"reason": "bench"})] * 2, "as the owner; judged in part 2")
    operator("history", ("GET", "/v1/operator/accounts/{id}/history"), 200,
             [call("GET", f"{path}/history?limit=25")] * 2, "a page of 25")
    operator("owner password reset", ("POST", "/v1/operator/accounts/{id}/owner/password-reset"), 202,
             [call("POST", f"/v1/operator/accounts/{account}/owner/password-reset") for account in (one, template)],
             "sends the link")
    operator("a business's staff", ("GET", "/v1/operator/accounts/{id}/staff"), 200,
             [call("GET", f"{path}/staff")] * 2, "a page of them")
    operator("owner invite", ("POST", "/v1/operator/accounts/{id}/owner/invite"), 202,
             [call("POST", f"/v1/operator/accounts/{account}/owner/invite") for account in (next(ids), next(ids))],
             "the unclaimed owner's claim link")
    operator("activity", ("GET", "/v1/operator/accounts/{id}/activity"), 200,
             [call("GET", f"{path}/activity")] * 2, "3 months, the onboarding checklist, the sites")
    operator("setup complete", ("POST", "/v1/operator/accounts/{id}/setup-complete"), 200,
             [call("POST", f"/v1/operator/accounts/{account}/setup-complete") for account in opened[:2]],
             "a new business leaves setup")
    operator("operators (for assignments)", ("GET", "/v1/operator/operators"), 200,
             [call("GET", "/v1/operator/operators")] * 2)
    _staff_actions(world, operator)
    runtime.cache_clear()


def _staff_actions(world: World, operator: Callable[..., None]) -> None:
    """The owner's staff routes, as Demo Studio's owner (two of its five slots free): two members
    added, read, changed, invited again and removed."""
    owner = world.owner_token

    def call(method: str, target: str, body: Any = None) -> Request:
        return lambda: world.call(method, target, body, token=owner)

    added: list[str] = []

    def add() -> tuple[int, Any]:
        email = f"{unique('bench-staff-')}@example.com"
        status, body = world.call("POST", "/v1/staff", {"email": email, "first_name": "Sam", "last_name": "Staff",
                                                       "perms": ["customers:read"]}, token=owner)
        if status == 201:
            added.append(body["staff"]["id"])
        return status, body

    operator("owner: list staff", ("GET", "/v1/staff"), 200, [call("GET", "/v1/staff")] * 2)
    operator("owner: add staff", ("POST", "/v1/staff"), 201, [add, add], "takes a slot; sends the claim link")
    operator("owner: read a member", ("GET", "/v1/staff/{id}"), 200,
             [call("GET", f"/v1/staff/{member}") for member in added])
    operator("owner: change a member", ("PATCH", "/v1/staff/{id}"), 200,
             [call("PATCH", f"/v1/staff/{member}", {"perms": ["customers:read", "customers:write"]})
              for member in added])
    operator("owner: invite a member again", ("POST", "/v1/staff/{id}/invite"), 202,
             [call("POST", f"/v1/staff/{member}/invite") for member in added], "revokes the older link")
    operator("owner: remove a member", ("DELETE", "/v1/staff/{id}"), 204,
             [call("DELETE", f"/v1/staff/{member}") for member in added], "frees the slot; their sessions end")
