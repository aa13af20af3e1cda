"""Races, over HTTP against the dev server, with threads: conditions in DynamoDB decide them."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import Http, HttpReply

pytestmark = pytest.mark.e2e

OWNER = {"realm": "staff", "account": "demo", "email": "owner@demo.example", "password": "Owner-Passw0rd!"}
PASSWORD = "Lantern-Orchard-31"


def all_at_once(count: int, call: Callable[[int], HttpReply]) -> list[HttpReply]:
    """`count` calls released together by a barrier, each on its own thread."""
    barrier = threading.Barrier(count)

    def run(number: int) -> HttpReply:
        barrier.wait()
        return call(number)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def invite_link(dev_server: Http, owner: str, customer_id: str, email: str) -> str:
    assert dev_server.call("POST", f"/v1/customers/{customer_id}/invite", {}, token=owner).status == 202
    latest = dev_server.call("GET", f"/_local/outbox?to={email}").json()[0]
    link: str = next(url for url in latest["links"] if "token=" in url).split("token=")[1]
    return link


@pytest.fixture(scope="module")
def owner(dev_server: Http) -> str:
    token: str = dev_server.call("POST", "/v1/auth/login", OWNER).json()["access_token"]
    return token


def new_customer(dev_server: Http, owner: str, email: str) -> dict[str, Any]:
    reply = dev_server.call("POST", "/v1/customers", {"email": email, "first_name": "R", "last_name": "Ace"},
                            token=owner)
    assert reply.status == 201, reply.body
    customer: dict[str, Any] = reply.json()["customer"]
    return customer


def test_twenty_parallel_claims_of_one_link_one_wins(dev_server: Http, owner: str) -> None:
    customer = new_customer(dev_server, owner, "race-claim@example.com")
    link = invite_link(dev_server, owner, customer["id"], customer["email"])

    replies = all_at_once(20, lambda _: dev_server.call("POST", "/v1/auth/claim",
                                                        {"token": link, "password": PASSWORD}))

    assert Counter(reply.status for reply in replies) == {200: 1, 410: 19}


def test_twenty_parallel_creates_of_one_email_one_wins(dev_server: Http, owner: str) -> None:
    replies = all_at_once(20, lambda number: dev_server.call(
        "POST", "/v1/customers", {"email": "Race-Create@Example.com" if number % 2 else "race-create@example.com",
                                  "first_name": "R", "last_name": f"Ace {number}"}, token=owner))

    assert Counter(reply.status for reply in replies) == {201: 1, 409: 19}
    assert {reply.json()["code"] for reply in replies if reply.status == 409} == {"email_taken"}


def test_twenty_parallel_creates_with_one_idempotency_key_answer_alike(dev_server: Http, owner: str) -> None:
    body = {"email": "race-key@example.com", "first_name": "R", "last_name": "Ace"}
    replies = all_at_once(20, lambda _: dev_server.call("POST", "/v1/customers", body, token=owner,
                                                        headers={"idempotency-key": "race-key"}))

    assert Counter(reply.status for reply in replies) == {201: 20}, [reply.body for reply in replies]
    assert len({reply.body for reply in replies}) == 1


@pytest.mark.parametrize("trial", range(6))
def test_a_resend_racing_a_claim_of_the_previous_link(dev_server: Http, owner: str, trial: int) -> None:
    # Given an invited customer and their link
    customer = new_customer(dev_server, owner, f"race-resend-{trial}@example.com")
    previous = invite_link(dev_server, owner, customer["id"], customer["email"])

    # When a claim of that link and a resend race
    def either(number: int) -> HttpReply:
        if number == 0:
            return dev_server.call("POST", "/v1/auth/claim", {"token": previous, "password": PASSWORD})
        return dev_server.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)

    claim, resend = all_at_once(2, either)

    # Then exactly one of them took effect, and once the resend has answered, the previous link
    # never succeeds again
    assert (claim.status, resend.status) in ((200, 409), (410, 202)), (claim.body, resend.body)
    if resend.status == 202:
        late = dev_server.call("POST", "/v1/auth/claim", {"token": previous, "password": PASSWORD})
        assert late.status == 410


def test_concurrent_requests_to_one_function_never_mix(dev_server: Http) -> None:
    # Forgot-passwords and password resets with unknown links, all at once, to the same function:
    # each answer must be its own (a shared resolver would mix them up). Six forgot-passwords keep
    # the dev server's one source address under its per-minute limit.
    def call(number: int) -> HttpReply:
        if number % 2:
            return dev_server.call("POST", "/v1/auth/password/reset", {"token": f"unknown-{number}",
                                                                       "password": PASSWORD})
        return dev_server.call("POST", "/v1/auth/password/forgot", {"realm": "customer", "account": "demo",
                                                                    "email": f"mix-{number}@example.com"})

    replies = all_at_once(12, call)

    assert [reply.status for reply in replies] == [202 if number % 2 == 0 else 410 for number in range(12)], [
        reply.body for reply in replies]


def test_twenty_customers_moved_to_one_email_at_once_one_wins(dev_server: Http, owner: str) -> None:
    # Given twenty customers, each with an email of their own
    customers = [new_customer(dev_server, owner, f"race-move-{number}@example.com") for number in range(20)]

    # When staff move all of them to the same new email at once
    replies = all_at_once(20, lambda number: dev_server.call(
        "PATCH", f"/v1/customers/{customers[number]['id']}", {"email": "race-moved@example.com"}, token=owner))

    # Then the email's claim lets one through; the others keep their own email, and search agrees
    assert Counter(reply.status for reply in replies) == {200: 1, 409: 19}, [reply.body for reply in replies]
    found = dev_server.call("GET", "/v1/customers?q=race-moved@", token=owner).json()["items"]
    assert [item["id"] for item in found] == [reply.json()["customer"]["id"] for reply in replies
                                              if reply.status == 200]
    assert len(dev_server.call("GET", "/v1/customers?q=race-move-&limit=100", token=owner).json()["items"]) == 19


def test_a_rename_racing_an_invite_leaves_the_directory_right(dev_server: Http, owner: str) -> None:
    # Given a customer
    customer = new_customer(dev_server, owner, "race-rename@example.com")

    # When staff rename them while (another tab) inviting them, ten times each
    def act(number: int) -> HttpReply:
        if number % 2:
            return dev_server.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
        return dev_server.call("PATCH", f"/v1/customers/{customer['id']}", {"last_name": f"Ace {number}"},
                               token=owner)

    replies = all_at_once(20, act)

    # Then each request either went through (a conflict is read again and decided again, up to three
    # times) or answered a retryable 503; and the directory lists the customer once, under their
    # last name and status
    statuses = Counter(reply.status for reply in replies)
    assert set(statuses) <= {200, 202, 503} and statuses[200] and statuses[202], [reply.body for reply in replies]
    now = dev_server.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()["customer"]
    listed = dev_server.call("GET", "/v1/customers?q=race-rename@", token=owner).json()["items"]
    assert [(item["id"], item["last_name"], item["status"]) for item in listed] == [
        (customer["id"], now["last_name"], "invited")]
    by_name = dev_server.call("GET", f"/v1/customers?q={now['last_name'].replace(' ', '%20')}&status=invited",
                              token=owner).json()["items"]
    assert customer["id"] in [item["id"] for item in by_name]


def test_twenty_parallel_renames_to_one_free_nickname_one_wins(dev_server: Http) -> None:
    # Given twenty businesses
    operator = dev_server.call("POST", "/v1/auth/login", {"realm": "operator", "email": "operator@example.com",
                                                          "password": "Operator-Passw0rd!"}).json()["access_token"]
    ids = []
    for number in range(20):
        opened = dev_server.call("POST", "/v1/operator/accounts", {
            "name": f"Race {number}", "nickname": f"race-{number}",
            "owner": {"email": f"owner{number}@race.example", "first_name": "R", "last_name": "Ace"}}, token=operator)
        assert opened.status == 201, opened.body
        ids.append(opened.json()["account"]["id"])

    # When each is renamed to the same free nickname at once
    replies = all_at_once(20, lambda number: dev_server.call("PATCH", f"/v1/operator/accounts/{ids[number]}",
                                                             {"nickname": "the-one"}, token=operator))

    # Then exactly one has it; the others keep their own, which stay theirs
    assert Counter(reply.status for reply in replies) == {200: 1, 409: 19}, [reply.body for reply in replies]
    assert {reply.json()["code"] for reply in replies if reply.status == 409} == {"nickname_taken"}
    winner = next(ids[number] for number, reply in enumerate(replies) if reply.status == 200)
    found = dev_server.call("GET", "/v1/operator/accounts?q=the-one", token=operator).json()["items"]
    assert [item["id"] for item in found] == [winner]
    loser = next(number for number, reply in enumerate(replies) if reply.status == 409)
    kept = dev_server.call("GET", f"/v1/operator/accounts/{ids[loser]}", token=operator).json()["account"]
    assert kept["nickname"] == f"race-{loser}"
def test_twenty_parallel_staff_adds_for_the_last_slot_one_wins(dev_server: Http, owner: str) -> None:
    # Given Demo Studio with exactly one staff slot free (filled up, then one member removed)
    added = []
    while (reply := dev_server.call("POST", "/v1/staff", {"email": f"race-fill-{len(added)}@demo.example",
                                                          "first_name": "R", "last_name": "Ace",
                                                          "perms": ["customers:read"]}, token=owner)).status == 201:
        added.append(reply.json()["staff"]["id"])
    assert reply.json()["code"] == "staff_limit_reached", reply.body
    assert added, "the seed leaves Demo Studio free slots"
    assert dev_server.call("DELETE", f"/v1/staff/{added.pop()}", token=owner).status == 204

    # When the owner adds twenty members at once
    replies = all_at_once(20, lambda number: dev_server.call(
        "POST", "/v1/staff", {"email": f"race-slot-{number}@demo.example", "first_name": "R",
                              "last_name": f"Ace {number}", "perms": ["customers:read"]}, token=owner))

    # Then the slot's condition lets exactly one in, and the list holds just that one of them
    assert Counter(reply.status for reply in replies) == {201: 1, 409: 19}, [reply.body for reply in replies]
    assert {reply.json()["code"] for reply in replies if reply.status == 409} == {"staff_limit_reached"}
    winner = next(reply.json()["staff"] for reply in replies if reply.status == 201)
    listed = dev_server.call("GET", "/v1/staff?limit=100", token=owner).json()["items"]
    assert [item["id"] for item in listed if item["email"].startswith("race-slot-")] == [winner["id"]]

    # (the slots are given back for the tests after this one)
    for staff_id in [*added, winner["id"]]:
        assert dev_server.call("DELETE", f"/v1/staff/{staff_id}", token=owner).status == 204
