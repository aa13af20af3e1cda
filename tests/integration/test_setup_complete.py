"""POST /v1/operator/accounts/{id}/setup-complete: an operator ends a business's "in setup", on the
record, in the same transaction; doing it again is fine and records nothing more."""

from __future__ import annotations

from typing import Any

import pytest
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, HELPDESK, OPERATOR, Api


def history(api: Api, account_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.call("GET", f"/v1/operator/accounts/{account_id}/history",
                                           token=api.login(OPERATOR)).json()["items"]
    return items


def test_completing_the_setup_is_shown_and_recorded(api: Api) -> None:
    # Given a business in setup
    account_id = api.account_id("demo")
    operator = api.login(HELPDESK)
    assert api.call("GET", f"/v1/operator/accounts/{account_id}/activity",
                    token=operator).json()["onboarding"]["in_setup"] is True

    # When an operator marks it set up
    reply = api.call("POST", f"/v1/operator/accounts/{account_id}/setup-complete", token=operator)

    # Then the account (with its owner) says so, and so does the activity view
    assert reply.status == 200, reply.body
    account = reply.json()["account"]
    assert (account["id"], account["in_setup"], account["owner"]["email"]) == (account_id, False,
                                                                               "owner@demo.example")
    assert api.call("GET", f"/v1/operator/accounts/{account_id}/activity",
                    token=operator).json()["onboarding"]["in_setup"] is False
    # And the business's history has it, with the operator
    entry = history(api, account_id)[0]
    assert (entry["action"], entry["target"], entry["actor"]["realm"], entry["actor"]["email"]) == (
        "account.setup_completed", {"type": "account", "id": account_id}, "operator", "helpdesk@example.com")


def test_the_change_and_its_history_are_one_transaction(api: Api, calls: list[str]) -> None:
    account_id, operator = api.account_id("demo"), api.login(OPERATOR)
    api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator)  # pays the cold start
    calls.clear()
    assert api.call("POST", f"/v1/operator/accounts/{account_id}/setup-complete", token=operator).status == 200
    # the caller, the business, one transaction (the change and its history), the owner for the view
    assert calls == ["GetItem", "GetItem", "TransactWriteItems", "GetItem"]


def test_completing_twice_is_fine_and_recorded_once(api: Api) -> None:
    account_id, operator = api.account_id("demo"), api.login(OPERATOR)
    first = api.call("POST", f"/v1/operator/accounts/{account_id}/setup-complete", token=operator)
    again = api.call("POST", f"/v1/operator/accounts/{account_id}/setup-complete", token=operator)
    assert (first.status, again.status) == (200, 200)
    assert again.json()["account"]["in_setup"] is False
    assert [entry["action"] for entry in history(api, account_id)].count("account.setup_completed") == 1


def test_the_loser_of_two_at_once_records_nothing(api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a request that read the business while it was in setup, and another that completed it meanwhile
    account_id, operator = api.account_id("demo"), api.login(OPERATOR)
    stale = seeded.directory.accounts.get(account_id)
    assert api.call("POST", f"/v1/operator/accounts/{account_id}/setup-complete", token=operator).status == 200
    monkeypatch.setattr("handover.accounts.onboarding.visible_account", lambda _caller, _directory, _id: stale)

    # When the first one writes
    late = api.call("POST", f"/v1/operator/accounts/{account_id}/setup-complete", token=operator)

    # Then the condition refuses its write: it answers as done, and the history has one entry
    assert (late.status, late.json()["account"]["in_setup"]) == (200, False)
    assert [entry["action"] for entry in history(api, account_id)].count("account.setup_completed") == 1


def test_a_locked_business_may_be_marked_set_up(api: Api) -> None:
    account_id, operator = api.account_id("demo"), api.login(OPERATOR)
    assert api.call("POST", f"/v1/operator/accounts/{account_id}/lock", {}, token=operator).status == 200
    reply = api.call("POST", f"/v1/operator/accounts/{account_id}/setup-complete", token=operator)
    assert reply.status == 200 and reply.json()["account"]["locked"] is True
    assert reply.json()["account"]["in_setup"] is False


def test_who_may_complete_it(api: Api) -> None:
    clinic, demo = api.account_id("clinic"), api.account_id("demo")
    # A secure business needs the Secure role (and stays in setup); an unknown one is not found;
    # staff are not operators
    refused = api.call("POST", f"/v1/operator/accounts/{clinic}/setup-complete", token=api.login(HELPDESK))
    assert (refused.status, refused.code) == (403, "secure_account")
    assert api.call("GET", f"/v1/operator/accounts/{clinic}/activity",
                    token=api.login(OPERATOR)).json()["onboarding"]["in_setup"] is True
    assert api.call("POST", "/v1/operator/accounts/01J0000000000000000000000/setup-complete",
                    token=api.login(OPERATOR)).status == 404
    staff = api.call("POST", f"/v1/operator/accounts/{demo}/setup-complete", token=api.login(DEMO_OWNER))
    assert (staff.status, staff.code) == (403, "forbidden")
