"""Client businesses as operators manage them: opening one (from a template too), reading and
changing it, and the roll with its counts and filters, as time, locks and activity move them."""

from __future__ import annotations

import time
from typing import Any

import pytest
from handover.runtime import Runtime, runtime

from tests.conftest import DEMO_OWNER, HELPDESK, OPERATOR, Api, publish_outbox, published_events

DAY = 24 * 3600


def open_account(api: Api, token: str, nickname: str, name: str | None = None, **fields: Any) -> dict[str, Any]:
    body = {"name": name or nickname.title(), "nickname": nickname,
            "owner": {"email": f"owner@{nickname}.example", "first_name": "Olga", "last_name": "Owner"}, **fields}
    reply = api.call("POST", "/v1/operator/accounts", body, token=token)
    assert reply.status == 201, reply.body
    account: dict[str, Any] = reply.json()["account"]
    return account


def roll(api: Api, token: str, query: str = "") -> dict[str, Any]:
    reply = api.call("GET", f"/v1/operator/accounts{query}", token=token)
    assert reply.status == 200, reply.body
    page: dict[str, Any] = reply.json()
    return page


def nicknames(page: dict[str, Any]) -> list[str]:
    return [item["nickname"] for item in page["items"]]


def patch(api: Api, token: str, account_id: str, body: dict[str, Any]) -> Any:
    return api.call("PATCH", f"/v1/operator/accounts/{account_id}", body, token=token)


@pytest.fixture
def clock(seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The time every part of the operators' side sees: move it with `clock[0] += ...`."""
    now = [time.time()]
    for part in (seeded.roster, seeded.client_accounts, seeded.accounts, seeded.locks):
        monkeypatch.setattr(part, "_clock", lambda: now[0])
    return now


def test_an_operator_opens_a_business_with_an_unclaimed_owner(api: Api) -> None:
    # When an operator opens a business
    operator = api.login(OPERATOR)
    account = open_account(api, operator, "harbour-yoga", "Harbour Yoga", package="pro", staff_slots=4)

    # Then it is new, with its owner unclaimed, in setup, not yet allowed to send links
    assert account["owner"] == {"id": account["id"], "email": "owner@harbour-yoga.example", "first_name": "Olga",
                                "last_name": "Owner", "status": "unclaimed"}
    assert (account["status"], account["package"], account["staff_slots"], account["staff_count"]) == (
        "new", "pro", 4, 1)
    assert (account["in_setup"], account["send_links_allowed"], account["locked"]) == (True, False, False)
    assert api.call("GET", f"/v1/operator/accounts/{account['id']}", token=operator).json()["account"] == account

    # And it is in the history, with the operator, and on the bus as account.created by the operator
    history = api.call("GET", f"/v1/operator/accounts/{account['id']}/history", token=operator).json()["items"]
    assert [(entry["action"], entry["actor"]["email"]) for entry in history] == [
        ("account.created", "operator@example.com")]
    publish_outbox()
    created = [event for event in published_events("account.created")
               if event["detail"]["account_id"] == account["id"]]
    assert created and created[0]["detail"]["actor"]["realm"] == "operator"


def test_a_nickname_is_unique_and_a_rename_frees_the_old_one(api: Api) -> None:
    operator = api.login(OPERATOR)
    first = open_account(api, operator, "alpha")
    taken = api.call("POST", "/v1/operator/accounts", {"name": "A2", "nickname": "ALPHA", "owner": {
        "email": "o@a2.example", "first_name": "O", "last_name": "A"}}, token=operator)
    assert (taken.status, taken.json()["code"]) == (409, "nickname_taken")

    # When the first is renamed, the old nickname is free for another business at once
    renamed = patch(api, operator, first["id"], {"nickname": "alpha-one"})
    assert renamed.status == 200 and renamed.json()["account"]["nickname"] == "alpha-one"
    assert open_account(api, operator, "alpha")["nickname"] == "alpha"
    clash = patch(api, operator, first["id"], {"nickname": "demo"})
    assert (clash.status, clash.json()["code"]) == (409, "nickname_taken")

    # And the owner signs in with the new nickname only
    assert roll(api, operator, "?q=alpha-o")["items"][0]["id"] == first["id"]


def test_a_template_gives_its_package_slots_tags_settings_and_fields_but_no_people(api: Api) -> None:
    # Given Demo Studio set up and marked as a template
    operator, owner = api.login(OPERATOR), api.login(DEMO_OWNER)
    demo = api.account_id("demo")
    branded = api.call("PATCH", "/v1/settings", {"brand_color": "#112233", "invite_link_days": 14}, token=owner)
    assert branded.status == 200
    fields = [{"key": "level", "label": "Level", "type": "choice", "choices": ["a", "b"], "required": False,
               "customer_editable": True}]
    assert api.call("PUT", "/v1/settings/custom-fields", {"fields": fields}, token=owner).status == 200
    api.create_customer(owner, "someone@example.com")
    assert patch(api, operator, demo, {"is_template": True, "tags": ["Yoga", "Pilot"]}).status == 200

    # When a business is opened from it
    account = open_account(api, operator, "copy", template_id=demo)

    # Then it has the template's package, slots, tags, settings and fields, and none of its people
    assert (account["package"], account["staff_slots"], account["tags"], account["is_template"]) == (
        "pro", 5, ["Yoga", "Pilot"], False)
    assert account["staff_count"] == 1 and account["owner"]["email"] == "owner@copy.example"
    stored = runtime().directory.accounts.get(account["id"])
    assert stored is not None and (stored.brand_color, stored.invite_link_days) == ("#112233", 14)
    assert [field.key for field in runtime().directory.accounts.fields(account["id"])] == ["level"]
    assert runtime().directory.customers.get_many(account["id"], []) == []

    # And a business that is not a template cannot be copied
    not_template = api.call("POST", "/v1/operator/accounts", {
        "name": "X", "nickname": "x", "template_id": account["id"],
        "owner": {"email": "o@x.example", "first_name": "O", "last_name": "X"}}, token=operator)
    assert not_template.status == 404


def test_the_roll_filters_by_query_tag_mine_and_status_page_by_page(api: Api) -> None:
    operator, helpdesk = api.login(OPERATOR), api.login(HELPDESK)
    ids = {}
    for nickname, name in [("zeta", "Zeta Zoë"), ("muller", "Müller Bakery"), ("mango", "Mango Spa")]:
        ids[nickname] = open_account(api, operator, nickname, name)["id"]
    assert roll(api, operator)["counts"]["new"] == 5
    assert patch(api, operator, ids["muller"], {"tags": ["VIP"]}).status == 200
    assert patch(api, operator, ids["zeta"], {"tags": ["vip", "north"]}).status == 200

    # Then q finds by a case- and accent-insensitive prefix of the name, nickname or owner email
    assert nicknames(roll(api, operator, "?q=muller")) == ["muller"]
    assert nicknames(roll(api, operator, "?q=ZETA%20ZO")) == ["zeta"]
    assert nicknames(roll(api, operator, "?q=owner%40mango")) == ["mango"]
    # And tag finds every business with it, whatever its case, in name order
    assert nicknames(roll(api, operator, "?tag=Vip")) == ["muller", "zeta"]
    # And every page follows the last, without gaps or repeats
    seen, cursor = [], ""
    while True:
        page = roll(api, operator, f"?limit=2{cursor}")
        seen += nicknames(page)
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == ["demo", "clinic", "mango", "muller", "zeta"]  # by name: Demo, Harbour, Mango, Müller, Zeta
    # And q cannot be combined with tag or mine
    mixed = api.call("GET", "/v1/operator/accounts?q=a&tag=vip", token=operator)
    assert (mixed.status, mixed.json()["code"]) == (422, "filters_not_combinable")
    # And a secure business is listed to an operator without the Secure role, restricted
    clinic = roll(api, helpdesk, "?q=harbour")["items"]
    assert clinic[0]["restricted"] is True and clinic[0]["owner"] is None


def test_mine_keeps_the_businesses_assigned_to_the_caller(api: Api, seeded: Runtime) -> None:
    operator, helpdesk = api.login(OPERATOR), api.login(HELPDESK)
    olivia, harry = (seeded.directory.principals.login_candidates("operator", None, email)[0]
                     for email in ("operator@example.com", "helpdesk@example.com"))
    assert olivia is not None and harry is not None
    demo = api.account_id("demo")
    first = open_account(api, operator, "first")
    assert patch(api, operator, demo, {"operators": [olivia.id, harry.id]}).status == 200
    assert patch(api, operator, first["id"], {"operators": [olivia.id]}).status == 200

    assert nicknames(roll(api, operator, "?mine=true")) == ["demo", "first"]
    assert nicknames(roll(api, helpdesk, "?mine=true")) == ["demo"]
    # When an assignment ends, the business leaves that operator's list
    assert patch(api, operator, demo, {"operators": [olivia.id]}).status == 200
    assert nicknames(roll(api, helpdesk, "?mine=true")) == []
    unknown = patch(api, operator, demo, {"operators": ["01NOSUCHOPERATOR"]})
    assert unknown.status == 422


def test_changes_are_checked_and_written_to_history(api: Api) -> None:
    operator, helpdesk = api.login(OPERATOR), api.login(HELPDESK)
    demo = api.account_id("demo")

    changed = patch(api, operator, demo, {"note": "Pays yearly", "send_links": True, "package": "max",
                                          "staff_slots": 9})
    assert changed.status == 200, changed.body
    account = changed.json()["account"]
    assert (account["note"], account["send_links"], account["send_links_allowed"], account["package"],
            account["staff_slots"]) == ("Pays yearly", True, True, "max", 9)
    # Fewer slots than staff is refused; a null clears a note but not a package
    assert patch(api, operator, demo, {"staff_slots": 1}).json()["code"] == "staff_limit_reached"
    assert patch(api, operator, demo, {"note": None}).json()["account"]["note"] is None
    assert patch(api, operator, demo, {"package": None}).status == 422
    # Only a Secure operator may change `secure`; nobody else may touch a secure business at all
    assert patch(api, helpdesk, demo, {"secure": True}).json()["code"] == "secure_account"
    clinic = api.account_id("clinic")
    assert patch(api, helpdesk, clinic, {"note": "x"}).json()["code"] == "secure_account"
    assert api.call("GET", f"/v1/operator/accounts/{clinic}", token=helpdesk).json()["code"] == "secure_account"

    history = api.call("GET", f"/v1/operator/accounts/{demo}/history", token=operator).json()["items"]
    assert [entry["action"] for entry in history] == ["account.updated"] * 2
    assert history[-1]["details"]["changed"] == ["note", "package", "send_links", "staff_slots"]


def test_counts_follow_creation_locks_activity_and_the_calendar(api: Api, clock: list[float]) -> None:
    # Given the two seeded businesses and a third, all new
    operator = api.login(OPERATOR)
    third = open_account(api, operator, "third")
    assert roll(api, operator)["counts"] == {"new": 3, "active": 0, "inactive": 0, "locked": 0}

    # When one is locked, it counts as locked only, and unlocking brings it back
    assert api.call("POST", f"/v1/operator/accounts/{third['id']}/lock", {}, token=operator).status == 200
    assert roll(api, operator)["counts"] == {"new": 2, "active": 0, "inactive": 0, "locked": 1}
    assert nicknames(roll(api, operator, "?status=locked")) == ["third"]
    assert api.call("POST", f"/v1/operator/accounts/{third['id']}/unlock", {}, token=operator).status == 200

    # When 31 days pass with no staff login or booking, every one of them is inactive
    clock[0] += 31 * DAY
    page = roll(api, operator, "?status=inactive")
    assert page["counts"] == {"new": 0, "active": 0, "inactive": 3, "locked": 0}
    assert sorted(nicknames(page)) == ["clinic", "demo", "third"]

    # When Demo's owner signs in, Demo is active for the next 30 days, then inactive again
    api.login(DEMO_OWNER)
    assert roll(api, operator)["counts"] == {"new": 0, "active": 1, "inactive": 2, "locked": 0}
    assert nicknames(roll(api, operator, "?status=active")) == ["demo"]
    clock[0] += 29 * DAY
    assert roll(api, operator)["counts"]["active"] == 1
    clock[0] += 2 * DAY
    assert roll(api, operator)["counts"] == {"new": 0, "active": 0, "inactive": 3, "locked": 0}
    assert roll(api, operator, "?status=active")["items"] == []
