"""Handover's own events: raised in the transaction of the change they describe (so never for a
change that did not commit), each detail valid against its JSON Schema in events/schemas/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, GOOD_PASSWORD, OPERATOR, Api, last_link_token

SCHEMAS = Path(__file__).resolve().parents[2] / "events" / "schemas"


def outbox(rt: Runtime) -> list[dict[str, Any]]:
    """Every event raised so far, oldest first: `{type, detail}`."""
    client = rt.session.create_client("dynamodb")
    items = [item for page in client.get_paginator("scan").paginate(TableName=rt.settings.outbox_table)
             for item in page["Items"]]
    return [{"type": item["detail_type"]["S"], "detail": json.loads(item["detail"]["S"]), "id": item["id"]["S"]}
            for item in sorted(items, key=lambda item: item["id"]["S"])]


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def test_every_action_raises_its_event_and_each_matches_its_schema(api: Api, seeded: Runtime) -> None:
    # Given the seed (two businesses opened), the owner and an operator
    owner = api.login(DEMO_OWNER)
    operator = api.login(OPERATOR)
    opened = outbox(seeded)

    # When a customer is created with an invite, claims, is renamed, locked and unlocked, gets a
    # password from staff, resets it by link, changes it themselves; and an operator logs in as
    # the owner and locks and unlocks the business
    customer = api.call("POST", "/v1/customers", {"email": "ev@example.com", "first_name": "Eve", "last_name": "Vent",
                                                  "invite": True}, token=owner).json()["customer"]
    claimed = api.call("POST", "/v1/auth/claim", {"token": last_link_token("ev@example.com"),
                                                  "password": GOOD_PASSWORD})
    assert claimed.status == 200
    path = f"/v1/customers/{customer['id']}"
    assert api.call("PATCH", path, {"last_name": "Ventura"}, token=owner).status == 200
    assert api.call("POST", f"{path}/lock", {"reason": "chargeback"}, token=owner).status == 200
    assert api.call("POST", f"{path}/unlock", {}, token=owner).status == 200
    assert api.call("PUT", f"{path}/password", {"password": "Quiet-Meadow-Lamp-8"}, token=owner).status == 204
    assert api.call("POST", f"{path}/password-reset", {}, token=owner).status == 202
    reset = api.call("POST", "/v1/auth/password/reset", {"token": last_link_token("ev@example.com"),
                                                         "password": "Amber-Kettle-Drum-5"})
    assert reset.status == 200
    changed = api.call("PUT", "/v1/me/password", {"current_password": "Amber-Kettle-Drum-5",
                                                  "new_password": "Copper-Kettle-Lane-5"},
                       token=reset.json()["access_token"])
    assert changed.status == 200
    account = customer["account_id"]
    acting = api.call("POST", f"/v1/operator/accounts/{account}/login-as", {"reason": "ticket 1"}, token=operator)
    assert acting.status == 200
    assert api.call("PATCH", path, {"phone": "+44 20 7946 0999"}, token=acting.json()["access_token"]).status == 200
    assert api.call("POST", f"/v1/operator/accounts/{account}/lock", {"reason": "unpaid"}, token=operator).status == 200
    assert api.call("POST", f"/v1/operator/accounts/{account}/unlock", {}, token=operator).status == 200

    # Then each change raised its event, in order, and every detail is valid against its schema
    events = outbox(seeded)
    assert types(opened) == ["account.created", "account.created"]
    raised = events[len(opened):]
    assert types(raised) == [
        "customer.created", "customer.invited", "customer.claimed", "customer.updated", "customer.locked",
        "customer.unlocked", "customer.password_reset", "customer.password_reset", "customer.password_reset",
        "impersonation.started", "customer.updated", "account.locked", "account.unlocked"]
    for event in events:
        schema = json.loads((SCHEMAS / f"{event['type']}.json").read_text())
        jsonschema.validate(event["detail"], schema)
        assert event["detail"]["id"] == event["id"]
    details = [event["detail"] for event in raised]
    assert {detail["account_id"] for detail in details} == {account}
    assert [detail["data"]["method"] for detail in details if "method" in detail["data"]] == ["staff", "link", "self"]
    assert details[2]["actor"] == {"realm": "customer", "id": customer["id"], "email": "ev@example.com",
                                   "on_behalf_of": None}
    assert details[2]["data"]["customer"]["status"] == "active"
    assert details[3]["data"]["changed"] == ["last_name"]
    impersonated = details[10]["actor"]
    assert (impersonated["realm"], impersonated["email"]) == ("operator", "operator@example.com")
    assert impersonated["on_behalf_of"]["email"] == "owner@demo.example"
    assert details[11]["data"] == {"account": {"id": account, "name": "Demo Studio", "nickname": "demo"},
                                   "reason": "unpaid"}


@pytest.mark.parametrize("refused", ["conflict", "validation", "locked"])
def test_a_change_that_does_not_commit_raises_nothing(api: Api, seeded: Runtime, refused: str) -> None:
    # Given a customer (and, for the lock case, a locked one)
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "taken@example.com")
    if refused == "locked":
        api.call("POST", f"/v1/customers/{customer['id']}/lock", {}, token=owner)
    before = outbox(seeded)

    # When a change is refused
    reply = {
        "conflict": lambda: api.call("POST", "/v1/customers", {"email": "taken@example.com", "first_name": "T",
                                                               "last_name": "K"}, token=owner),
        "validation": lambda: api.call("PATCH", f"/v1/customers/{customer['id']}", {"first_name": None},
                                       token=owner),
        "locked": lambda: api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner),
    }[refused]()

    # Then no event was raised
    assert reply.status in (409, 422, 423)
    assert outbox(seeded) == before


def test_the_committed_schemas_are_the_models_schemas() -> None:
    from local.event_schemas import render, schemas

    for detail_type, schema in schemas().items():
        assert (SCHEMAS / f"{detail_type}.json").read_text() == render(schema), detail_type
