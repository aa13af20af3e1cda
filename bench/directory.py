"""Part 5: the directory at two sizes. One business with 100 customers, one with 20,000; a page
of each (limit 25) for `q` alone, `status` alone, both and neither, counting the DynamoDB round
trips and the items read (what each Query scanned, what each BatchGetItem returned); then what a
customer's index items cost the writes that carry them: creating a customer and renaming one.

The customers are written through the same code as a create (their record, their email claim and
their search index items), in batches rather than one transaction each, which only makes the
loading faster: what is measured, the page, goes through the handlers as any request does."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bench.calls import Call, capacity, table_shapes
from bench.roundtrips import Counter
from bench.world import World, unique
from local.aws import REGION

SIZES = (100, 20_000)
LIMIT = 25
QUERIES: dict[str, dict[str, str]] = {
    "neither": {},
    "q alone": {"q": "m"},
    "status alone": {"status": "unclaimed"},
    "q and status": {"q": "m", "status": "unclaimed"},
}
GOAL = 1.05  # the page at 20,000 customers reads at most 5% more than at 100, in items and in round trips

FIRST = ["Maria", "Martin", "Zoë", "Anna", "Jürgen", "Amélie", "Noah", "Olivia", "Liam", "Emma", "Mateo", "Sofía",
         "Lucas", "Mia", "Malik", "Chloé", "Hiro", "Ingrid", "Omar", "Priya", "Rafael", "Saanvi", "Tomás", "Yara",
         "Marco", "Mila", "Mohammed", "Maya"]
LAST = ["Müller", "Martínez", "Marsh", "Andersen", "Brown", "Dubois", "Eriksson", "García", "Hansen", "Ito",
        "Johnson", "Kowalski", "López", "Mancini", "Nakamura", "O'Brien", "Petrov", "Quinn", "Rossi", "Schmidt",
        "Tanaka", "Ubeda", "Varga", "Weber", "Yilmaz", "Zhang", "Maddox", "Öberg", "Ng", "Smith"]
# Enough of the small business matches every query to fill a page (a full page is what is compared).
STATUSES = ["unclaimed"] * 15 + ["invited"] * 2 + ["active"] * 2 + ["locked"]


@dataclass
class Page:
    size: int
    query: str
    status: int | str
    calls: list[Call]
    returned: int

    @property
    def trips(self) -> int:
        return len(self.calls)

    @property
    def items_read(self) -> int:
        read = 0
        for call in self.calls:
            response = call.response or {}
            if call.operation == "Query":
                read += int(response.get("ScannedCount", response.get("Count", 0)))
            elif call.operation in ("BatchGetItem", "GetItem"):
                read += sum(len(items) for items in response.get("Responses", {}).values()) + int("Item" in response)
        return read

    @property
    def rru(self) -> float:
        shapes = table_shapes()
        return sum(capacity(call, shapes)[0] for call in self.calls)


@dataclass
class WriteCost:
    name: str
    status: int | str
    calls: list[Call]

    @property
    def items_written(self) -> int:
        return sum(len(call.params.get("TransactItems", [])) or (1 if call.operation.endswith("Item") and
                                                                  call.operation not in ("GetItem", "BatchGetItem")
                                                                  else 0)
                   for call in self.calls)

    @property
    def wru(self) -> float:
        shapes = table_shapes()
        return sum(capacity(call, shapes)[1] for call in self.calls)


@dataclass
class Pages:
    """Pages of one list at two or more sizes of what it lists (businesses, customers)."""

    pages: list[Page]

    @property
    def sizes(self) -> tuple[int, int]:
        """The smallest and the largest size measured."""
        sizes = [page.size for page in self.pages]
        return min(sizes), max(sizes)

    def ratio(self, query: str, measure: Callable[[Page], float]) -> float:
        """`measure` of the page at the largest size over the page at the smallest."""
        small, large = (next(page for page in self.pages if page.size == size and page.query == query)
                        for size in self.sizes)
        return measure(large) / max(measure(small), 1)


@dataclass
class DirectoryFigures(Pages):
    writes: list[WriteCost]


def measure_page(world: World, counter: Counter, *, size: int, query: str, target: str, token: str,
                 warm_up: str) -> Page:
    """One page, as the warm second request of a fresh runtime (`warm_up` is the first)."""
    answers: list[Any] = []

    def page() -> tuple[int, Any]:
        answers.append(world.call("GET", target, token=token))
        return answers[-1]  # type: ignore[no-any-return]

    counter.fresh_runtime()
    counter.run(lambda: world.call("GET", warm_up, token=token))
    calls, status = counter.run(page)
    body = answers[-1][1] or {}
    return Page(size, query, status, calls, len(body.get("items", [])))


def measure(world: World, progress: Callable[[str], None]) -> DirectoryFigures:
    from handover.runtime import runtime

    counter = Counter()
    pages = []
    tokens = {}
    for size in SIZES:
        progress(f"directory: a business with {size:,} customers")
        tokens[size] = _business_with(runtime(), size)
        for name, query in QUERIES.items():
            pages.append(measure_page(world, counter, size=size, query=name, token=tokens[size],
                                      target="/v1/customers?" + urlencode({**query, "limit": LIMIT}),
                                      warm_up="/v1/customers?limit=1"))
    progress("directory: the write cost of a customer's index items")
    token = tokens[SIZES[-1]]
    counter.fresh_runtime()
    create: Callable[[], tuple[int, Any]] = lambda: world.call(  # noqa: E731
        "POST", "/v1/customers", {"email": f"{unique('dir-')}@example.com", "first_name": "Maximilian",
                                  "last_name": "Abernathy-Smith"}, token=token)
    counter.run(create)
    created_calls, created_status = counter.run(create)
    customer_id = world.call("GET", "/v1/customers?q=abernathy&limit=1", token=token)[1]["items"][0]["id"]
    rename = lambda: world.call("PATCH", f"/v1/customers/{customer_id}",  # noqa: E731
                                {"first_name": unique("Max"), "last_name": unique("Abbott-Jones")}, token=token)
    counter.run(rename)
    renamed_calls, renamed_status = counter.run(rename)
    runtime.cache_clear()
    return DirectoryFigures(pages, [WriteCost("create a customer", created_status, created_calls),
                                    WriteCost("rename a customer (first and last name)", renamed_status,
                                              renamed_calls)])


def _business_with(rt: Any, size: int) -> str:
    """A new business with `size` customers of varied names and statuses; its owner's token."""
    from handover.accounts.businesses import Person
    from handover.customers.search import index_writes
    from handover.data.principals import CustomerRecord
    from handover.ids import new_id

    account, owner = rt.accounts.open(
        name=f"Directory {size}", nickname=unique("directory-"), owner=Person(f"owner-{size}@dir.example", "O", "W"),
        owner_password_hash="unused")
    pick = random.Random(size)
    items: list[dict[str, Any]] = []
    for number in range(size):
        first, last = pick.choice(FIRST), pick.choice(LAST)
        customer = CustomerRecord(id=new_id(), account_id=account.id, first_name=first, last_name=last,
                                  email=f"{first[:3].lower()}.{number}@example.com", status=pick.choice(STATUSES),
                                  email_verified=True, created_at=0, updated_at=0)
        writes = [*rt.directory.principals.add(customer), *index_writes(rt.directory.search, None, customer)]
        items += [write.request()["Put"]["Item"] for write in writes]
    batch_put(rt.settings.directory_table, items)
    return str(rt.sessions.issue_for(owner, account).access_token)


def batch_put(table: str, items: list[dict[str, Any]]) -> None:
    """Straight into moto's in-process table (half a million items through BatchWriteItem would
    take minutes); nothing of it is measured."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    stored = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(table)
    for item in items:
        stored.put_item(item)
