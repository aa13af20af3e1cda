"""The owner's custom field definitions: replaced whole, read back in order, bounded, and kept
apart from the business's own item."""

from __future__ import annotations

from typing import Any

from handover.data.keys import account_key, fields_key
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, Api

PATH = "/v1/settings/custom-fields"
FIELDS = [
    {"key": "member_no", "label": "Member number", "type": "string", "choices": None, "required": True,
     "customer_editable": False},
    {"key": "height_cm", "label": "Height (cm)", "type": "number", "choices": None, "required": False,
     "customer_editable": True},
    {"key": "newsletter", "label": "Newsletter", "type": "boolean", "choices": None, "required": False,
     "customer_editable": True},
    {"key": "birthday", "label": "Birthday", "type": "date", "choices": None, "required": False,
     "customer_editable": True},
    {"key": "tier", "label": "Tier", "type": "choice", "choices": ["gold", "silver", "bronze"], "required": False,
     "customer_editable": False},
]


def field(number: int, **changes: Any) -> dict[str, Any]:
    return {"key": f"field_{number}", "label": f"Field {number}", "type": "string", "required": False,
            "customer_editable": False, **changes}


def test_a_business_starts_with_no_custom_fields(api: Api) -> None:
    reply = api.call("GET", PATH, token=api.login(DEMO_OWNER))
    assert (reply.status, reply.json()) == (200, {"fields": []})


def test_the_owner_replaces_the_definitions_and_reads_them_back_in_order(api: Api, seeded: Runtime) -> None:
    # Given the owner
    owner = api.login(DEMO_OWNER)

    # When they put a field of every type (labels with white space around them, a choice's choices)
    sent = [{**definition, "label": f"  {definition['label']} "} for definition in FIELDS]
    put = api.call("PUT", PATH, {"fields": sent}, token=owner)

    # Then the answer and a later read are the definitions, trimmed, in the order given
    assert put.status == 200, put.body
    assert put.json() == api.call("GET", PATH, token=owner).json() == {"fields": FIELDS}

    # And they live in an item of their own, not on the business's item
    account_id = api.account_id("demo")
    stored = seeded.dynamo.get(seeded.directory.table, fields_key(account_id))
    assert stored is not None and [definition["key"] for definition in stored["fields"]] == [
        definition["key"] for definition in FIELDS]
    account_item = seeded.dynamo.get(seeded.directory.table, account_key(account_id))
    assert account_item is not None and "fields" not in account_item

    # When they put a shorter list, then an empty one
    shorter = api.call("PUT", PATH, {"fields": FIELDS[3:]}, token=owner)
    assert shorter.json() == api.call("GET", PATH, token=owner).json() == {"fields": FIELDS[3:]}
    assert api.call("PUT", PATH, {"fields": []}, token=owner).json() == {"fields": []}

    # Then each replaced the whole list
    assert api.call("GET", PATH, token=owner).json() == {"fields": []}


def test_definitions_at_their_bounds_are_accepted(api: Api) -> None:
    # When the owner puts 50 fields, with 40-character keys, 100-character labels and 50 choices
    fifty = [field(number, key=f"f{number:02d}_" + "x" * 36, label="L" * 100) for number in range(49)]
    fifty.append(field(49, type="choice", choices=[f"c{number}" for number in range(50)]))
    reply = api.call("PUT", PATH, {"fields": fifty}, token=api.login(DEMO_OWNER))

    # Then they are all kept
    assert reply.status == 200, reply.body
    assert len(reply.json()["fields"]) == 50 and len(reply.json()["fields"][-1]["choices"]) == 50


BAD = [  # (fields, where the error is); tests/unit/test_custom_fields.py has every rule
    ([field(number) for number in range(51)], ["body", "fields"]),
    ([field(1), field(2, key="field_1")], ["body", "fields"]),
    ([field(1, key="f" * 41)], ["body", "fields", 0, "key"]),
    ([field(1, key="Field_1")], ["body", "fields", 0, "key"]),
    ([field(1, label="")], ["body", "fields", 0, "label"]),
    ([field(1, label="L" * 101)], ["body", "fields", 0, "label"]),
    ([field(1, type="text")], ["body", "fields", 0, "type"]),
    ([field(1, type="choice")], ["body", "fields", 0]),
    ([field(1, type="choice", choices=[f"c{number}" for number in range(51)])], ["body", "fields", 0, "choices"]),
    ([field(1, type="choice", choices=["gold", "gold"])], ["body", "fields", 0, "choices"]),
    ([field(1, type="choice", choices=["x" * 101])], ["body", "fields", 0, "choices", 0]),
    ([field(1, type="number", choices=["1", "2"])], ["body", "fields", 0]),
    ([field(1, required="yes")], ["body", "fields", 0, "required"]),
    ([{key: value for key, value in field(1).items() if key != "customer_editable"}],
     ["body", "fields", 0, "customer_editable"]),
    ([field(1, default="x")], ["body", "fields", 0, "default"]),
    ("not a list", ["body", "fields"]),
]


def test_definitions_that_break_a_rule_are_a_422_naming_it_and_change_nothing(api: Api) -> None:
    # Given the owner's business with one field defined
    owner = api.login(DEMO_OWNER)
    assert api.call("PUT", PATH, {"fields": FIELDS[:1]}, token=owner).status == 200

    for fields, loc in BAD:
        # When they put definitions that break a rule
        reply = api.call("PUT", PATH, {"fields": fields}, token=owner)

        # Then it is a 422 naming where, and the definitions stay as they were
        assert (reply.status, reply.code) == (422, "validation_error"), (loc, reply.body)
        assert [error["loc"][:len(loc)] for error in reply.json()["errors"]] == [loc], reply.body
        assert api.call("GET", PATH, token=owner).json() == {"fields": FIELDS[:1]}


def test_replacing_definitions_leaves_stored_customer_values_as_they_are(api: Api) -> None:
    # Given a customer with values for two fields, defined then
    owner = api.login(DEMO_OWNER)
    assert api.call("PUT", PATH, {"fields": FIELDS}, token=owner).status == 200
    customer = api.create_customer(owner, custom_fields={"tier": "gold", "member_no": "M-7"})

    # When the owner drops one of those fields and makes the other a number
    assert api.call("PUT", PATH, {"fields": [{**FIELDS[0], "type": "number"}]}, token=owner).status == 200

    # Then the customer's stored values are untouched
    stored = api.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()["customer"]["custom_fields"]
    assert stored == {"tier": "gold", "member_no": "M-7"}


def test_the_same_idempotency_key_answers_the_first_put_again(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    key = {"idempotency-key": "fields-1"}
    first = api.call("PUT", PATH, {"fields": FIELDS[:2]}, token=owner, headers=key)
    again = api.call("PUT", PATH, {"fields": FIELDS[:2]}, token=owner, headers=key)
    other = api.call("PUT", PATH, {"fields": FIELDS[:1]}, token=owner, headers=key)
    assert first.status == again.status == 200 and first.json() == again.json() == {"fields": FIELDS[:2]}
    assert (other.status, other.code) == (422, "idempotency_key_reused")
