"""EventBridge event patterns, which Lambda's event filters (FilterCriteria) share, as far as
template.yaml uses them: exact values, lists of them (any one matches), `prefix`, `anything-but`
(a value, a list, or a prefix) and nested fields. Anything else is refused by name rather than
quietly not matching, so a rule that needs more says so on the dev server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class UnsupportedPattern(ValueError):
    """A pattern using what this matcher does not implement (or what EventBridge would refuse)."""


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Every field the pattern names is in the event and matches (fields the pattern leaves out
    do not matter). A nested pattern looks into an object; a list holds the values any one of
    which may match; an array in the event matches when any of its elements does."""
    for field, condition in pattern.items():
        if field.startswith("$"):
            raise UnsupportedPattern(f"{field}: not supported by the local matcher")
        if isinstance(condition, Mapping):
            inner = event.get(field)
            if not isinstance(inner, Mapping) or not matches(condition, inner):
                return False
        elif isinstance(condition, list):
            if field not in event or not _any(condition, event[field]):
                return False
        else:
            raise UnsupportedPattern(f"{field}: a pattern's values go in a list, not {condition!r}")
    return True


def _any(conditions: list[Any], value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(_matches_value(condition, each) for condition in conditions for each in values)


def _matches_value(condition: Any, value: Any) -> bool:
    if not isinstance(condition, Mapping):
        return _equal(condition, value)
    if len(condition) != 1:
        raise UnsupportedPattern(f"{dict(condition)!r}: one operator per condition")
    operator, argument = next(iter(condition.items()))
    if operator == "prefix":
        return _starts_with(argument, value)
    if operator == "anything-but":
        if isinstance(argument, Mapping):
            if set(argument) != {"prefix"}:
                raise UnsupportedPattern(f"anything-but {dict(argument)!r}: only a value, a list or a prefix")
            return isinstance(value, str) and not _starts_with(argument["prefix"], value)
        excluded = argument if isinstance(argument, list) else [argument]
        return not any(_equal(each, value) for each in excluded)
    raise UnsupportedPattern(f"{operator}: not supported by the local matcher")


def _starts_with(prefix: Any, value: Any) -> bool:
    if not isinstance(prefix, str):
        raise UnsupportedPattern(f"prefix {prefix!r}: only a plain string")
    return isinstance(value, str) and value.startswith(prefix)


def _equal(expected: Any, value: Any) -> bool:
    """JSON equality: true is not 1, and 5 is 5.0."""
    if isinstance(expected, bool) or isinstance(value, bool) or expected is None or value is None:
        return expected is value
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    return type(expected) is type(value) and bool(expected == value)
