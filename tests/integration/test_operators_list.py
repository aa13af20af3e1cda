"""GET /v1/operator/operators: every operator, for assigning them to businesses, read from the
roster written with each operator (a Query, never a Scan)."""

from __future__ import annotations

from typing import Any

from handover.accounts.operators import add_operator
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, HELPDESK, OPERATOR, Api


def operators(api: Api, token: str, query: str = "") -> Any:
    reply = api.call("GET", f"/v1/operator/operators{query}", token=token)
    assert reply.status == 200, reply.body
    return reply.json()


def test_operators_see_every_operator(api: Api, seeded: Runtime) -> None:
    # Given the seed's two operators and one added later (as the admin command adds one)
    added = add_operator(seeded.dynamo, seeded.directory, email="Ops.Lead@Example.com", name="Ops Lead", secure=False,
                         password_hash=seeded.passwords.hash("Ops-Lead-Passw0rd!"))

    # When an operator without the Secure role lists them
    page = operators(api, api.login(HELPDESK))

    # Then all three are there, in the order they were added, with nothing but what assignments need
    assert [(item["email"], item["name"], item["secure"]) for item in page["items"]] == [
        ("operator@example.com", "Olivia Operator", True), ("helpdesk@example.com", "Harry Helpdesk", False),
        ("ops.lead@example.com", "Ops Lead", False)]
    assert page["items"][-1] == {"id": added.id, "email": "ops.lead@example.com", "name": "Ops Lead", "secure": False}
    assert page["next_cursor"] is None


def test_the_list_pages_with_a_cursor(api: Api) -> None:
    token = api.login(OPERATOR)
    first = operators(api, token, "?limit=1")
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest: list[dict[str, Any]] = []
    cursor = first["next_cursor"]
    while cursor:
        page = operators(api, token, f"?limit=1&cursor={cursor}")
        rest += page["items"]
        cursor = page["next_cursor"]
    assert [item["email"] for item in first["items"] + rest] == ["operator@example.com", "helpdesk@example.com"]


def test_a_cursor_from_another_list_is_refused(api: Api) -> None:
    # Given a cursor of the form a business's history pages with ({"pk": "ACCT#1", "sk": "1"})
    cursor = "eyJwayI6IkFDQ1QjMSIsInNrIjoiMSJ9"
    refused = api.call("GET", f"/v1/operator/operators?cursor={cursor}", token=api.login(OPERATOR))
    assert (refused.status, refused.code) == (422, "cursor_invalid")


def test_the_list_is_one_query(api: Api, calls: list[str]) -> None:
    token = api.login(OPERATOR)
    operators(api, token)  # pays the cold start
    calls.clear()
    operators(api, token)
    assert calls == ["GetItem", "Query"]  # the caller, then the roster


def test_only_operators_may_list_them(api: Api) -> None:
    staff = api.call("GET", "/v1/operator/operators", token=api.login(DEMO_OWNER))
    assert (staff.status, staff.code) == (403, "forbidden")
    assert api.call("GET", "/v1/operator/operators").status == 401
