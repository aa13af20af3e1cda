"""Invite links: only the newest works, once, until it expires; claiming is one transaction."""

from __future__ import annotations

import time
from typing import Any

import pytest
from handover.links.tokens import hash_token
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, GOOD_PASSWORD, Api, last_link_token, sent_emails


@pytest.fixture
def invited(api: Api) -> dict[str, Any]:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    assert api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202
    return {"owner": owner, "customer": customer, "link": last_link_token(customer["email"])}


def test_a_second_invite_revokes_every_earlier_link(api: Api, invited: dict[str, Any]) -> None:
    # Given a customer invited twice more
    first = invited["link"]
    path = f"/v1/customers/{invited['customer']['id']}/invite"
    assert api.call("POST", path, {}, token=invited["owner"]).status == 202
    second = last_link_token(invited["customer"]["email"])
    assert api.call("POST", path, {}, token=invited["owner"]).status == 202
    third = last_link_token(invited["customer"]["email"])

    # Then both earlier links answer 410, to reading and to claiming, and the newest works
    for old in (first, second):
        assert api.call("GET", f"/v1/auth/links/{old}").status == 410
        reply = api.call("POST", "/v1/auth/claim", {"token": old, "password": GOOD_PASSWORD})
        assert (reply.status, reply.code) == (410, "link_invalid")
    assert api.call("GET", f"/v1/auth/links/{third}").status == 200
    assert api.call("POST", "/v1/auth/claim", {"token": third, "password": GOOD_PASSWORD}).status == 200


def test_a_used_link_answers_410(api: Api, invited: dict[str, Any]) -> None:
    # Given a claimed link
    body = {"token": invited["link"], "password": GOOD_PASSWORD}
    assert api.call("POST", "/v1/auth/claim", body).status == 200

    # Then it is gone, for reading and for claiming again
    assert api.call("GET", f"/v1/auth/links/{invited['link']}").status == 410
    assert api.call("POST", "/v1/auth/claim", body).status == 410


def test_an_expired_link_answers_410_while_its_item_still_exists(api: Api, invited: dict[str, Any],
                                                                   seeded: Runtime) -> None:
    # Given the link's expiry backdated (DynamoDB TTL has not deleted the item yet)
    table = seeded.settings.links_table
    key = {"token_hash": {"S": hash_token(invited["link"])}}
    seeded.dynamo._client.update_item(TableName=table, Key=key, UpdateExpression="SET expires_at = :past",
                                      ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}})
    assert "Item" in seeded.dynamo._client.get_item(TableName=table, Key=key)

    # Then the link is refused
    assert api.call("GET", f"/v1/auth/links/{invited['link']}").status == 410
    assert api.call("POST", "/v1/auth/claim", {"token": invited["link"], "password": GOOD_PASSWORD}).status == 410


def test_claiming_changes_everything_in_one_transaction(api: Api, invited: dict[str, Any], seeded: Runtime) -> None:
    # Given every DynamoDB write call counted
    writes: list[str] = []
    client = seeded.dynamo._client
    client.meta.events.register("before-call.dynamodb", lambda model, **_: writes.append(model.name))
    customer_id = invited["customer"]["id"]
    account_id = invited["customer"]["account_id"]
    before = seeded.directory.customers.get(account_id, customer_id)
    assert before is not None

    # When the customer claims
    reply = api.call("POST", "/v1/auth/claim", {"token": invited["link"], "password": GOOD_PASSWORD})

    # Then one TransactWriteItems did it all: password, verified, active, token version, link, history
    assert reply.status == 200
    assert [name for name in writes if name not in ("GetItem", "Query", "BatchGetItem")] == ["TransactWriteItems"]
    after = seeded.directory.customers.get(account_id, customer_id)
    assert after is not None
    assert after.password_hash and seeded.passwords.verify(after.password_hash, GOOD_PASSWORD)
    assert (after.status, after.email_verified) == ("active", True)
    assert after.token_version == before.token_version + 1
    link = seeded.links.store.get(hash_token(invited["link"]))
    assert link is not None and link.used_at is not None
    actions = [entry.action for entry in seeded.history.newest(account_id, 10)[0]]
    assert "customer.claimed" in actions


def test_a_password_that_breaks_the_policy_changes_nothing(api: Api, invited: dict[str, Any],
                                                           seeded: Runtime) -> None:
    # When the customer tries a weak password containing their email's local part
    reply = api.call("POST", "/v1/auth/claim", {"token": invited["link"], "password": "jane.doe x"})

    # Then 422 lists each failed rule, and the link and customer are untouched
    assert (reply.status, reply.code) == (422, "password_policy")
    assert reply.json()["failed_rules"] == ["no_whitespace", "character_classes", "contains_email"]
    customer = seeded.directory.customers.get(invited["customer"]["account_id"], invited["customer"]["id"])
    assert customer is not None and customer.status == "invited" and customer.password_hash is None
    assert api.call("GET", f"/v1/auth/links/{invited['link']}").status == 200


def test_an_over_long_password_is_refused_before_hashing(api: Api, invited: dict[str, Any], seeded: Runtime,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a hasher that records every call
    hashed: list[str] = []
    real = seeded.passwords._hasher

    class RecordingHasher:
        def hash(self, password: str) -> str:
            hashed.append(password)
            return real.hash(password)

    monkeypatch.setattr(seeded.passwords, "_hasher", RecordingHasher())

    # When a 129-character password is offered
    reply = api.call("POST", "/v1/auth/claim", {"token": invited["link"], "password": "Aa1!" * 32 + "x"})

    # Then it is refused by the policy and never hashed
    assert (reply.status, reply.json()["failed_rules"]) == (422, ["max_length"])
    assert hashed == []


def test_the_invite_email_names_the_business_and_links_to_the_portal(api: Api, invited: dict[str, Any]) -> None:
    email = sent_emails()[-1]
    assert email["subject"] == "Your Demo Studio account is ready"
    assert f"https://portal.example/claim?token={invited['link']}" in email["html"]


def test_a_claimed_customer_cannot_be_invited_again(api: Api, invited: dict[str, Any]) -> None:
    assert api.call("POST", "/v1/auth/claim", {"token": invited["link"], "password": GOOD_PASSWORD}).status == 200
    reply = api.call("POST", f"/v1/customers/{invited['customer']['id']}/invite", {}, token=invited["owner"])
    assert (reply.status, reply.code) == (409, "already_claimed")
