"""Custom fields: what a business defines for its customers' profiles (GET/PUT
/v1/settings/custom-fields), and the check of a customer's values against those definitions,
made on every write of a customer (create, PATCH, imports, the customer's own PATCH /v1/me).

A value of a field of type
    string   is printable text (no control characters or line breaks) of at most 1,000 characters;
    number   a JSON number (not a boolean), finite, at most 1e15 in magnitude, and 0 or at least
             1e-100 in magnitude (DynamoDB holds nothing nearer to 0);
    boolean  true or false;
    date     a calendar date that exists, written YYYY-MM-DD;
    choice   one of the field's `choices`, exactly.
Changing a definition never rewrites stored values: a write answers for the values it names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints, field_validator, model_validator
from pydantic.config import JsonDict

from handover.contract.common import Name
from handover.errors import CustomFieldsInvalid, FieldNotEditable
from handover.models import Model

FieldType = Literal["string", "number", "boolean", "date", "choice"]
MAX_FIELDS = 50
MAX_CHOICES = 50
MAX_TEXT = 1000
MAX_NUMBER = 1e15
MIN_NUMBER = 1e-100
FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Choices = Annotated[list[Name], Field(min_length=1, max_length=MAX_CHOICES, json_schema_extra={"uniqueItems": True})]
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# `choices` goes with the type `choice` and no other (a null counts as absent), said so in the
# schema too, so that the OpenAPI document refuses exactly what the model refuses.
_CHOICES_GO_WITH_CHOICE: JsonDict = {
    "if": {"properties": {"type": {"const": "choice"}}, "required": ["type"]},
    "then": {"properties": {"choices": {"type": "array"}}, "required": ["choices"]},
    "else": {"properties": {"choices": {"type": "null"}}},
}


class FieldDefinition(Model):
    """One custom field, as the owner defines it, the API shows it and the directory stores it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_CHOICES_GO_WITH_CHOICE)

    key: FieldKey
    label: Name
    type: FieldType
    choices: Choices | None = None
    required: StrictBool
    customer_editable: StrictBool

    @field_validator("choices")
    @classmethod
    def _distinct(cls, choices: list[str] | None) -> list[str] | None:
        if choices is not None and len(set(choices)) != len(choices):
            raise ValueError("choices must be distinct")
        return choices

    @model_validator(mode="after")
    def _choices_go_with_choice(self) -> FieldDefinition:
        if self.type == "choice" and self.choices is None:
            raise ValueError("a field of type choice needs its choices")
        if self.type != "choice" and self.choices is not None:
            raise ValueError(f"a field of type {self.type} has no choices")
        return self


def checked_values(definitions: list[FieldDefinition], values: Mapping[str, object], *,
                   current: Mapping[str, object] | None = None, editable_only: bool = False) -> dict[str, object]:
    """The custom field values to store, or one error naming every field that is wrong.

    `current is None` is a create: every required field must be given, and nothing may be null.
    Otherwise `values` is a JSON merge patch over `current`: a null removes that key (not a
    required field's; a key whose field was deleted since may go), keys not named stay as they
    are. With `editable_only` (customers changing their own profile), naming a field that is not
    `customer_editable`, or unknown, is refused first: 403 field_not_editable."""
    fields = {definition.key: definition for definition in definitions}
    if editable_only:
        refused = [key for key in values if key not in fields or not fields[key].customer_editable]
        if refused:
            raise FieldNotEditable([_issue(key, "Customers cannot change this field", "field_not_editable")
                                    for key in refused])
    problems: list[dict[str, Any]] = []
    result = dict(current or {})
    for key, value in values.items():
        definition = fields.get(key)
        if value is None and current is not None:
            if definition is not None and definition.required:
                problems.append(_issue(key, "Field required: it cannot be removed", "missing"))
            else:
                result.pop(key, None)
        elif definition is None:
            problems.append(_issue(key, "No custom field has this key", "unknown_field"))
        elif value is None:
            problems.append(_issue(key, "Field required", "missing") if definition.required
                            else _issue(key, "Input should not be null (leave the field out instead)", "null"))
        elif problem := _wrong(definition, value):
            problems.append(_issue(key, *problem))
        else:
            result[key] = value
    if current is None:
        problems += [_issue(key, "Field required", "missing") for key, definition in fields.items()
                     if definition.required and key not in values]
    if problems:
        raise CustomFieldsInvalid(problems)
    return result


def _wrong(definition: FieldDefinition, value: object) -> tuple[str, str] | None:
    """What is wrong with a (non-null) value for this field, as (message, type); None if nothing."""
    match definition.type:
        case "string":
            if not isinstance(value, str):
                return "Input should be a string", "string_type"
            if len(value) > MAX_TEXT:
                return f"String should have at most {MAX_TEXT} characters", "string_too_long"
            if not value.isprintable():
                return "Input should not contain control characters or line breaks", "string_not_printable"
        case "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return "Input should be a number", "number_type"
            if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_NUMBER:
                return f"Input should be finite and at most {MAX_NUMBER:g} in magnitude", "number_out_of_range"
            if value and abs(value) < MIN_NUMBER:
                return f"Input should be 0 or at least {MIN_NUMBER:g} in magnitude", "number_out_of_range"
        case "boolean":
            if not isinstance(value, bool):
                return "Input should be true or false", "bool_type"
        case "date":
            if not isinstance(value, str) or not _DATE.fullmatch(value):
                return "Input should be a date written YYYY-MM-DD", "date_format"
            try:
                date.fromisoformat(value)
            except ValueError:
                return "Input should be a date that exists", "date_invalid"
        case "choice":
            if not isinstance(value, str) or value not in (definition.choices or []):
                return "Input should be one of " + ", ".join(map(repr, definition.choices or [])), "choice"
    return None


def _issue(key: str, message: str, kind: str) -> dict[str, Any]:
    return {"loc": ["body", "custom_fields", key], "msg": message, "type": kind}
