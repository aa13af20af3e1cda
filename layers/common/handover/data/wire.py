"""DynamoDB's wire format: items as plain dicts in, attribute values out, and back (as boto3's
TypeSerializer and TypeDeserializer write and read them, without importing boto3 for it: 18 ms of
a cold start)."""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

Item = dict[str, Any]

# DynamoDB's numbers: 38 significant digits, exponents from -130 to 125; any other number is
# refused rather than rounded (the context boto3's TypeSerializer uses).
_NUMBERS = decimal.Context(Emin=-128, Emax=126, prec=38, traps=[decimal.Clamped, decimal.Overflow, decimal.Inexact,
                                                                decimal.Rounded, decimal.Underflow])


def serialise(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB's wire format, its absent attributes (None) left out."""
    return {name: _attribute(value) for name, value in item.items() if value is not None}


def _attribute(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _number(value)}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, BaseModel):
        return _attribute(value.model_dump(exclude_none=True))
    if isinstance(value, Mapping):
        return {"M": {key: _attribute(inner) for key, inner in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(inner) for inner in value]}
    raise TypeError(f"DynamoDB stores no {type(value).__name__} here: {value!r}")


def _number(value: int | float | Decimal) -> str:
    """A float is a binary fraction; its shortest decimal form is exact and what JSON said, so that
    is what DynamoDB gets."""
    number = _NUMBERS.create_decimal(Decimal(str(value)) if isinstance(value, float) else value)
    if not number.is_finite():
        raise TypeError(f"DynamoDB stores no {number}")
    return str(number)


def deserialise(raw: Mapping[str, Any]) -> Item:
    return {name: _value(attribute) for name, attribute in raw.items()}


def _value(attribute: Mapping[str, Any]) -> Any:
    """A value from DynamoDB's wire format, its numbers as int or float."""
    ((kind, value),) = attribute.items()
    if kind == "N":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "M":
        return {key: _value(inner) for key, inner in value.items()}
    if kind == "L":
        return [_value(inner) for inner in value]
    if kind == "NULL":
        return None
    if kind in ("S", "BOOL", "B"):
        return value
    raise TypeError(f"an attribute of a kind Handover never writes: {kind}")
