"""The staff directory: search by a prefix of a name or the email (any case, any accents),
filter by status, name order, cursors, and index items that never disagree with the customers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from handover.customers.search import search_entry
from handover.data.principals import CustomerRecord
from handover.runtime import Runtime

from tests.conftest import CLINIC_OWNER, DEMO_OWNER, GOOD_PASSWORD, Api, last_link_token

PEOPLE = [  # first, last, email
    ("Zoë", "Müller", "zoe.mueller@example.com"),
    ("Anna", "Andersen", "anna@example.com"),
    ("Bob", "Andersen", "b.andersen@example.com"),
    ("Åsa", "Öberg", "asa@example.com"),
    ("Jean-Luc", "Picard", "captain@example.com"),
    ("Zoe", "Marsh", "zm@example.com"),
    ("Alexandra", "Konstantinopoulou", "alexandra.konstantinopoulou@example.com"),
    ("Alexandra", "Konstantinidis", "alexandra.konstantinidis@example.com"),
]


def listed(api: Api, token: str, **query: Any) -> tuple[list[str], str | None]:
    """`first last` of each customer on the page, and the next cursor."""
    reply = api.call("GET", "/v1/customers?" + "&".join(f"{key}={quote(str(value))}" for key, value in query.items()),
                     token=token)
    assert reply.status == 200, reply.body
    body = reply.json()
    return [f"{item['first_name']} {item['last_name']}" for item in body["items"]], body["next_cursor"]


def everyone(api: Api, token: str, **query: Any) -> list[str]:
    """Every page, cursor by cursor."""
    names, cursor = listed(api, token, **query)
    while cursor:
        more, cursor = listed(api, token, cursor=cursor, **query)
        names += more
    return names


@pytest.fixture
def owner(api: Api) -> str:
    token = api.login(DEMO_OWNER)
    for first, last, email in PEOPLE:
        reply = api.call("POST", "/v1/customers", {"email": email, "first_name": first, "last_name": last},
                         token=token)
        assert reply.status == 201, reply.body
    return token


@pytest.mark.parametrize(("q", "found"), [
    ("zoe m", ["Zoe Marsh", "Zoë Müller"]),  # full name, accents and case ignored
    ("ZOË MÜ", ["Zoë Müller"]),
    ("muller", ["Zoë Müller"]),  # last name
    ("zoe.mu", ["Zoë Müller"]),  # email
    ("andersen", ["Anna Andersen", "Bob Andersen"]),
    ("an", ["Anna Andersen", "Bob Andersen"]),
    ("b.", ["Bob Andersen"]),
    ("asa", ["Åsa Öberg"]),
    ("oberg", ["Åsa Öberg"]),
    ("jean-l", ["Jean-Luc Picard"]),
    ("  Jean-Luc   PIC ", ["Jean-Luc Picard"]),  # spacing ignored too
    ("captain@", ["Jean-Luc Picard"]),
    ("alexandra kon", ["Alexandra Konstantinidis", "Alexandra Konstantinopoulou"]),  # longer than the prefixes
    ("alexandra konstantinop", ["Alexandra Konstantinopoulou"]),
    ("alexandra.konstantinidis@example.com", ["Alexandra Konstantinidis"]),
    ("konstantin", ["Alexandra Konstantinidis", "Alexandra Konstantinopoulou"]),
    ("example", []),  # the domain is not a prefix
    ("zz", []),
    ("pic ard", []),
])
def test_q_is_a_prefix_of_a_name_the_full_name_or_the_email(api: Api, owner: str, q: str, found: list[str]) -> None:
    # When staff search the directory
    names, cursor = listed(api, owner, q=q)

    # Then exactly the customers with a matching prefix come back, in name order
    assert names == found
    assert cursor is None


def test_the_directory_is_sorted_by_last_name_then_first_name(api: Api, owner: str) -> None:
    names, _ = listed(api, owner, limit=100)
    assert names == ["Anna Andersen", "Bob Andersen", "Alexandra Konstantinidis", "Alexandra Konstantinopoulou",
                     "Zoe Marsh", "Zoë Müller", "Åsa Öberg", "Jean-Luc Picard"]


def test_status_filters_alone_and_with_q_and_follows_every_change(api: Api, owner: str) -> None:
    # Given Anna invited, Bob claimed, Zoë locked
    ids = {f"{c['first_name']} {c['last_name']}": c["id"]
           for c in api.call("GET", "/v1/customers?limit=100", token=owner).json()["items"]}
    assert api.call("POST", f"/v1/customers/{ids['Anna Andersen']}/invite", {}, token=owner).status == 202
    assert api.call("POST", f"/v1/customers/{ids['Bob Andersen']}/invite", {}, token=owner).status == 202
    claimed = api.call("POST", "/v1/auth/claim", {"token": last_link_token("b.andersen@example.com"),
                                                  "password": GOOD_PASSWORD})
    assert claimed.status == 200
    assert api.call("POST", f"/v1/customers/{ids['Zoë Müller']}/lock", {}, token=owner).status == 200

    # Then each status lists exactly its customers, alone and combined with q
    assert listed(api, owner, status="invited")[0] == ["Anna Andersen"]
    assert listed(api, owner, status="active")[0] == ["Bob Andersen"]
    assert listed(api, owner, status="locked")[0] == ["Zoë Müller"]
    assert listed(api, owner, status="unclaimed", q="a")[0] == ["Alexandra Konstantinidis",
                                                                "Alexandra Konstantinopoulou", "Åsa Öberg"]
    assert listed(api, owner, status="invited", q="andersen")[0] == ["Anna Andersen"]
    assert listed(api, owner, status="active", q="andersen")[0] == ["Bob Andersen"]
    assert listed(api, owner, status="locked", q="zoe")[0] == ["Zoë Müller"]
    assert listed(api, owner, status="active", q="alexandra konst")[0] == []

    # When Zoë is unlocked, she is unclaimed again (and found there, not among the locked)
    assert api.call("POST", f"/v1/customers/{ids['Zoë Müller']}/unlock", {}, token=owner).status == 200
    assert listed(api, owner, status="locked")[0] == []
    assert "Zoë Müller" in listed(api, owner, status="unclaimed", q="z")[0]


@pytest.mark.parametrize("query", [{}, {"q": "a"}, {"status": "unclaimed"}, {"q": "a", "status": "unclaimed"}],
                         ids=["neither", "q", "status", "both"])
def test_paging_has_no_gaps_or_repeats(api: Api, seeded: Runtime, query: dict[str, str]) -> None:
    # Given 14 customers whose names share prefixes, and one that does not match
    owner = api.login(DEMO_OWNER)
    for number in range(14):
        api.create_customer(owner, f"a{number:02d}@example.com", first_name=f"Ann {number % 4}",
                            last_name=f"Abbot {number % 5}")
    api.create_customer(owner, "x@example.com", first_name="Xavier", last_name="Young")

    # When staff page through with pages of 4
    pages = everyone(api, owner, limit=4, **query)
    whole, cursor = listed(api, owner, limit=100, **query)

    # Then the pages together are the whole list, in the same order, each customer once
    assert cursor is None
    assert pages == whole
    assert len(whole) == (15 if not query.get("q") else 14)
    ids = [item["id"] for item in api.call("GET", "/v1/customers?limit=100", token=owner).json()["items"]]
    assert len(set(ids)) == len(ids)


def test_a_cursor_works_only_in_its_own_business(api: Api, owner: str) -> None:
    # Given a cursor from Demo Studio's directory
    _, cursor = listed(api, owner, limit=2)
    assert cursor

    # When Harbour Clinic's owner, or anyone with a made-up cursor, uses it
    foreign = api.call("GET", f"/v1/customers?cursor={cursor}", token=api.login(CLINIC_OWNER))
    garbage = api.call("GET", "/v1/customers?cursor=not-a-cursor", token=owner)

    # Then it is refused, and nothing of the other business shows
    assert (foreign.status, foreign.code) == (422, "cursor_invalid")
    assert (garbage.status, garbage.code) == (422, "cursor_invalid")


def test_another_business_sees_none_of_these_customers(api: Api, owner: str) -> None:
    assert listed(api, api.login(CLINIC_OWNER))[0] == []
    assert listed(api, api.login(CLINIC_OWNER), q="zoe")[0] == []


def test_renaming_and_a_new_email_move_the_customer_in_the_directory(api: Api, owner: str) -> None:
    # Given Zoë Müller
    zoe = next(item for item in api.call("GET", "/v1/customers?q=zoe.mu", token=owner).json()["items"])

    # When staff rename her and change her email
    changed = api.call("PATCH", f"/v1/customers/{zoe['id']}", {"last_name": "Young", "email": "zy@example.com"},
                       token=owner)
    assert changed.status == 200, changed.body

    # Then the old name and email find nobody, the new ones find her, in her new place
    assert listed(api, owner, q="muller")[0] == []
    assert listed(api, owner, q="zoe.mu")[0] == []
    assert listed(api, owner, q="young")[0] == ["Zoë Young"]
    assert listed(api, owner, q="zy@")[0] == ["Zoë Young"]
    assert listed(api, owner, limit=100)[0][-1] == "Zoë Young"


def test_index_items_always_match_the_customers(api: Api, seeded: Runtime, owner: str) -> None:
    # Given customers invited, claimed, renamed, re-addressed, locked and unlocked
    items = api.call("GET", "/v1/customers?limit=100", token=owner).json()["items"]
    ids = [item["id"] for item in items]
    api.call("POST", f"/v1/customers/{ids[0]}/invite", {}, token=owner)
    api.call("POST", f"/v1/customers/{ids[1]}/invite", {}, token=owner)
    api.call("POST", "/v1/auth/claim", {"token": last_link_token(items[1]["email"]), "password": GOOD_PASSWORD})
    api.call("PATCH", f"/v1/customers/{ids[2]}", {"first_name": "Renée", "email": "renee@example.com"}, token=owner)
    api.call("POST", f"/v1/customers/{ids[3]}/lock", {}, token=owner)
    api.call("POST", f"/v1/customers/{ids[4]}/lock", {}, token=owner)
    api.call("POST", f"/v1/customers/{ids[4]}/unlock", {}, token=owner)
    api.call("POST", f"/v1/customers/{ids[0]}/invite", {"email": "resent@example.com"}, token=owner)

    # Then the index items of the business are exactly those its customers call for
    account_id = items[0]["account_id"]
    customers = seeded.directory.customers.get_many(account_id, ids)
    assert stored_index(seeded, account_id) == expected_index(customers)


def test_a_page_is_one_query_and_one_batch_read_without_filters(api: Api, seeded: Runtime, owner: str) -> None:
    # Given every AWS call the service makes is recorded
    calls: list[tuple[str, dict[str, Any]]] = []
    seeded.dynamo._client.meta.events.register("provide-client-params.dynamodb.*",
                                   lambda params, model, **_: calls.append((model.name, params)))
    for query in ({}, {"q": "an"}, {"status": "unclaimed"}, {"q": "an", "status": "unclaimed"},
                  {"q": "alexandra konstantin"}):
        # When a page of the directory is read (the token's principal read first)
        calls.clear()
        listed(api, owner, limit=3, **query)

        # Then the page itself is one Query and one BatchGetItem; no Scan, no FilterExpression
        operations = [name for name, _ in calls]
        assert operations == ["BatchGetItem", "Query", "BatchGetItem"], (query, operations)
        assert not any("FilterExpression" in params for _, params in calls)


def stored_index(rt: Runtime, account_id: str) -> set[tuple[str, str, str]]:
    client = rt.session.create_client("dynamodb")
    found = set()
    for page in client.get_paginator("scan").paginate(TableName=rt.settings.directory_table):
        for item in page["Items"]:
            pk = item["pk"]["S"]
            if pk.startswith((f"ACCT#{account_id}#Q#", f"ACCT#{account_id}#QT#")):
                found.add((pk, item["sk"]["S"], item["qs"]["S"]))
    return found


def expected_index(customers: list[CustomerRecord]) -> set[tuple[str, str, str]]:
    return {(item["pk"], item["sk"], item["qs"]) for customer in customers
            for item in search_entry(customer).items().values()}
