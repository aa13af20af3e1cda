"""Custom fields: definitions, and customer values checked against them (create and merge patch)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from handover.customers.fields import FieldDefinition, checked_values
from handover.errors import CustomFieldsInvalid, FieldNotEditable
from handover.web import problem_from
from pydantic import ValidationError


def field(key: str, type: str = "string", *, required: bool = False, editable: bool = False,
          choices: list[str] | None = None) -> FieldDefinition:
    return FieldDefinition(key=key, label=key.title(), type=type, choices=choices, required=required,  # type: ignore[arg-type]
                           customer_editable=editable)


DEFINITIONS = [
    field("nickname"),
    field("height_cm", "number"),
    field("newsletter", "boolean", editable=True),
    field("birthday", "date", editable=True),
    field("tier", "choice", choices=["gold", "silver"]),
    field("member_no", required=True),
]


def problems(values: dict[str, Any], **options: Any) -> list[tuple[str, str]]:
    """(key, type) of every problem `checked_values` finds; none means it passed."""
    try:
        checked_values(DEFINITIONS, values, **options)
    except CustomFieldsInvalid as error:
        return [(issue["loc"][-1], issue["type"]) for issue in error.extra["errors"]]
    return []


@pytest.mark.parametrize(("key", "value"), [
    ("nickname", ""), ("nickname", "Ann Ó'Brien ✓"), ("nickname", "x" * 1000),
    ("height_cm", 0), ("height_cm", 0.0), ("height_cm", 172), ("height_cm", -0.5), ("height_cm", 1e15),
    ("height_cm", -(10**15)), ("height_cm", 1e-100),
    ("newsletter", True), ("newsletter", False),
    ("birthday", "2024-02-29"), ("birthday", "0001-01-01"), ("birthday", "9999-12-31"),
    ("tier", "gold"), ("tier", "silver"),
])
def test_a_value_of_the_right_type_is_kept(key: str, value: object) -> None:
    # When a create names a valid value for a field (and the required one)
    stored = checked_values(DEFINITIONS, {key: value, "member_no": "M-1"})

    # Then both values are what is stored, unchanged
    assert stored == {key: value, "member_no": "M-1"}
    assert type(stored[key]) is type(value)


ARABIC_INDIC_DATE = "\u0662\u0660\u0662\u0664-\u0660\u0661-\u0660\u0661"  # 2024-01-01 in other digits


@pytest.mark.parametrize(("key", "value", "kind"), [
    ("nickname", 5, "string_type"), ("nickname", ["a"], "string_type"), ("nickname", "x" * 1001, "string_too_long"),
    ("nickname", "line\nbreak", "string_not_printable"), ("nickname", "tab\there", "string_not_printable"),
    ("nickname", "zero\u200bwidth", "string_not_printable"),
    ("height_cm", True, "number_type"), ("height_cm", "172", "number_type"), ("height_cm", None, "null"),
    ("height_cm", float("nan"), "number_out_of_range"), ("height_cm", float("inf"), "number_out_of_range"),
    ("height_cm", -float("inf"), "number_out_of_range"), ("height_cm", 1e15 + 1, "number_out_of_range"),
    ("height_cm", 10**15 + 1, "number_out_of_range"), ("height_cm", 10**400, "number_out_of_range"),
    ("height_cm", 1e-101, "number_out_of_range"), ("height_cm", -5e-324, "number_out_of_range"),
    ("newsletter", 1, "bool_type"), ("newsletter", "true", "bool_type"),
    ("birthday", "2023-02-29", "date_invalid"), ("birthday", "2024-13-01", "date_invalid"),
    ("birthday", "0000-01-01", "date_invalid"), ("birthday", "2024-2-3", "date_format"),
    ("birthday", "20240101", "date_format"), ("birthday", "2024-01-01T00:00:00", "date_format"),
    ("birthday", "2024-01-01\n", "date_format"), ("birthday", ARABIC_INDIC_DATE, "date_format"),
    ("birthday", 20240101, "date_format"),
    ("tier", "Gold", "choice"), ("tier", "bronze", "choice"), ("tier", 1, "choice"),
    ("unknown", "x", "unknown_field"),
])
def test_a_wrong_value_is_refused_naming_its_field(key: str, value: object, kind: str) -> None:
    # When a create names a wrong value (beside a valid required one)
    found = problems({key: value, "member_no": "M-1"})

    # Then that field, and only that one, is named with what is wrong
    assert found == [(key, kind)]


def test_every_problem_is_named_in_one_422() -> None:
    # When a create gets several things wrong at once and leaves out the required field
    with pytest.raises(CustomFieldsInvalid) as raised:
        checked_values(DEFINITIONS, {"height_cm": "tall", "tier": "bronze", "colour": "red"})

    # Then one validation error names each field, as the API's other validation errors do
    response = problem_from(raised.value)
    body = json.loads(response.body)
    assert (response.status_code, body["code"]) == (422, "validation_error")
    assert response.content_type == "application/problem+json"
    assert [error["loc"] for error in body["errors"]] == [["body", "custom_fields", key] for key in
                                                          ("height_cm", "tier", "colour", "member_no")]
    assert [error["type"] for error in body["errors"]] == ["number_type", "choice", "unknown_field", "missing"]
    assert all(error["msg"] for error in body["errors"])
    assert "'gold', 'silver'" in body["errors"][1]["msg"]


def test_a_create_needs_every_required_field_and_takes_no_nulls() -> None:
    assert problems({}) == [("member_no", "missing")]
    assert problems({"member_no": None}) == [("member_no", "missing")]
    assert problems({"member_no": "M-1", "nickname": None}) == [("nickname", "null")]
    assert problems({"member_no": "M-1", "gone": None}) == [("gone", "unknown_field")]
    assert checked_values(DEFINITIONS, {"member_no": "M-1"}) == {"member_no": "M-1"}


CURRENT = {"member_no": "M-1", "nickname": "Jo", "height_cm": 180, "retired_field": "kept from before"}


def test_a_patch_merges_key_by_key() -> None:
    # When a patch changes one value, removes another with null and adds a third
    stored = checked_values(DEFINITIONS, {"nickname": "Joanna", "height_cm": None, "tier": "gold"},
                            current=CURRENT)

    # Then those change, and every key it does not name stays as it was (even one no longer defined)
    assert stored == {"member_no": "M-1", "nickname": "Joanna", "tier": "gold", "retired_field": "kept from before"}
    assert CURRENT["height_cm"] == 180  # the current values are not changed in place


def test_a_patch_may_remove_a_key_whose_field_is_gone_but_not_a_required_one() -> None:
    assert checked_values(DEFINITIONS, {"retired_field": None, "never_there": None}, current=CURRENT) == {
        "member_no": "M-1", "nickname": "Jo", "height_cm": 180}
    assert problems({"member_no": None}, current=CURRENT) == [("member_no", "missing")]
    assert problems({"retired_field": "new value"}, current=CURRENT) == [("retired_field", "unknown_field")]


def test_a_patch_answers_only_for_what_it_names() -> None:
    # Given stored values from before a field became required
    before = {"nickname": "Jo"}

    # When a patch names another field
    stored = checked_values(DEFINITIONS, {"newsletter": True}, current=before)

    # Then the missing required field does not stop it; an empty patch changes nothing
    assert stored == {"nickname": "Jo", "newsletter": True}
    assert checked_values(DEFINITIONS, {}, current=before) == before
    # and a wrong value is refused as on a create
    assert problems({"birthday": "31/12/2000", "newsletter": "yes"}, current=before) == [
        ("birthday", "date_format"), ("newsletter", "bool_type")]


@pytest.mark.parametrize("values", [{"nickname": "Jo"}, {"unknown": 1}, {"member_no": None},
                                    {"newsletter": True, "tier": "not even a choice"}])
def test_a_customer_may_change_only_the_fields_they_may_edit_and_that_is_checked_first(
        values: dict[str, Any]) -> None:
    # When a customer's own patch names a field that is not theirs to edit (or no field at all)
    with pytest.raises(FieldNotEditable) as raised:
        checked_values(DEFINITIONS, values, current=CURRENT, editable_only=True)

    # Then it is a 403 naming exactly those fields, whatever else is wrong with the patch
    response = problem_from(raised.value)
    body = json.loads(response.body)
    assert (response.status_code, body["code"]) == (403, "field_not_editable")
    assert [error["loc"] for error in body["errors"]] == [["body", "custom_fields", key] for key in values
                                                          if key != "newsletter"]


def test_a_customer_s_editable_fields_are_checked_and_merged() -> None:
    stored = checked_values(DEFINITIONS, {"newsletter": True, "birthday": None}, current=CURRENT, editable_only=True)
    assert stored == {**CURRENT, "newsletter": True}
    assert problems({"birthday": "1990-02-30"}, current=CURRENT, editable_only=True) == [
        ("birthday", "date_invalid")]


@pytest.mark.parametrize(("definition", "fault"), [
    ({"type": "choice"}, "needs its choices"),
    ({"type": "choice", "choices": []}, "at least 1 item"),
    ({"type": "choice", "choices": ["a"] * 2}, "distinct"),
    ({"type": "choice", "choices": ["a", " a "]}, "distinct"),
    ({"type": "choice", "choices": [str(n) for n in range(51)]}, "at most 50 items"),
    ({"type": "choice", "choices": [""]}, "at least 1 character"),
    ({"type": "choice", "choices": ["x" * 101]}, "at most 100 characters"),
    ({"type": "choice", "choices": ["new\nline"]}, "control characters"),
    ({"type": "string", "choices": ["a"]}, "has no choices"),
    ({"key": "Tier"}, "pattern"), ({"key": "1tier"}, "pattern"), ({"key": "tier-2"}, "pattern"),
    ({"key": "t" * 41}, "pattern"), ({"key": "tier\n"}, "pattern"), ({"key": ""}, "pattern"),
    ({"label": "   "}, "at least 1 character"), ({"label": "x" * 101}, "at most 100 characters"),
    ({"type": "text"}, "'string', 'number', 'boolean', 'date' or 'choice'"),
    ({"required": None}, "boolean"), ({"required": "yes"}, "boolean"), ({"customer_editable": 1}, "boolean"),
    ({"default": "x"}, "Extra inputs are not permitted"),
])
def test_a_definition_that_breaks_a_rule_is_refused(definition: dict[str, Any], fault: str) -> None:
    valid = {"key": "tier", "label": "Tier", "type": "string", "required": False, "customer_editable": False}
    with pytest.raises(ValidationError, match=fault):
        FieldDefinition.model_validate({**valid, **definition})


def test_definitions_at_their_bounds_are_accepted() -> None:
    definition = FieldDefinition.model_validate({
        "key": "a" + "_9" * 19 + "z", "label": " " + "L" * 100 + " ", "type": "choice",
        "choices": [f"choice {n}".ljust(100, ".") for n in range(50)], "required": True, "customer_editable": True})
    assert len(definition.key) == 40 and len(definition.label) == 100 and len(definition.choices or []) == 50
    assert FieldDefinition.model_validate({"key": "n", "label": "N", "type": "number", "choices": None,
                                           "required": False, "customer_editable": False}).choices is None
