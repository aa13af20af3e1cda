"""The dev server's EventBridge pattern matcher (local/patterns.py), also used for Lambda's
FilterCriteria: exact values, lists, `prefix`, `anything-but`, nested fields; anything else is
refused by name."""

from __future__ import annotations

from typing import Any

import pytest

from local.patterns import UnsupportedPattern, matches

BOOKING: dict[str, Any] = {
    "version": "0", "id": "e-1", "detail-type": "booking.created", "source": "platform", "account": "123456789012",
    "time": "2026-12-03T10:00:00Z", "region": "eu-west-1", "resources": [],
    "detail": {"account_id": "A1", "booking_id": "B1", "email": "jane@example.com", "amount": 30,
               "tags": ["vip", "new"], "paid": False, "reference": None},
}


@pytest.mark.parametrize(("pattern", "expected"), [
    ({"source": ["platform"]}, True),
    ({"source": ["Platform"]}, False),  # case matters
    ({"source": ["other", "platform"]}, True),  # any value of the list
    ({"source": ["platform"], "detail-type": ["booking.cancelled"]}, False),  # every field must match
    ({"detail": {"account_id": ["A1"]}}, True),
    ({"detail": {"account_id": ["A2"]}}, False),
    ({"detail": {"missing": ["x"]}}, False),  # a field the event lacks never matches
    ({"missing": {"deeper": ["x"]}}, False),
    ({"detail": {"email": {"deeper": ["x"]}}}, False),  # a nested pattern needs an object there
    ({"detail": {"amount": [30.0]}}, True),  # numbers compare as numbers
    ({"detail": {"amount": ["30"]}}, False),  # not as strings
    ({"detail": {"paid": [False]}}, True),
    ({"detail": {"paid": [0]}}, False),  # false is not 0
    ({"detail": {"reference": [None]}}, True),
    ({"detail": {"tags": ["new"]}}, True),  # an array in the event: any element
    ({"detail": {"tags": ["old"]}}, False),
    ({"detail-type": [{"prefix": "booking."}]}, True),
    ({"detail-type": [{"prefix": "payment."}]}, False),
    ({"detail": {"amount": [{"prefix": "3"}]}}, False),  # prefix only matches strings
    ({"detail-type": [{"anything-but": "booking.cancelled"}]}, True),
    ({"detail-type": [{"anything-but": "booking.created"}]}, False),
    ({"detail-type": [{"anything-but": ["booking.created", "booking.cancelled"]}]}, False),
    ({"detail-type": [{"anything-but": {"prefix": "booking."}}]}, False),
    ({"detail-type": [{"anything-but": {"prefix": "payment."}}]}, True),
    ({"detail": {"missing": [{"anything-but": "x"}]}}, False),  # anything-but still needs the field
    ({"source": ["other", {"prefix": "plat"}]}, True),  # values and operators mix in one list
    ({}, True),
])
def test_patterns_match_as_eventbridge_does(pattern: dict[str, Any], expected: bool) -> None:
    # Given a booking event; When it meets the pattern; Then it matches exactly when EventBridge's would
    assert matches(pattern, BOOKING) is expected


def test_lambda_filters_match_stream_records_the_same_way() -> None:
    # Given the publisher's filter and a stream record of each kind
    pattern = {"eventName": ["INSERT"]}
    records = [{"eventName": name, "dynamodb": {"Keys": {"id": {"S": "1"}}}} for name in ("INSERT", "MODIFY", "REMOVE")]

    # When they meet it; Then only the new item passes
    assert [matches(pattern, record) for record in records] == [True, False, False]


@pytest.mark.parametrize("pattern", [
    {"detail": {"amount": [{"numeric": [">", 10]}]}},  # an operator not played locally
    {"source": "platform"},  # a bare value: EventBridge wants a list
    {"$or": [{"source": ["platform"]}]},
    {"source": [{"prefix": "plat", "suffix": "form"}]},
    {"source": [{"anything-but": {"suffix": "form"}}]},
    {"source": [{"prefix": {"equals-ignore-case": "PLAT"}}]},
])
def test_what_the_matcher_does_not_play_is_refused_by_name(pattern: dict[str, Any]) -> None:
    # When a pattern needs more than the matcher plays; Then it says so rather than not matching
    with pytest.raises(UnsupportedPattern):
        matches(pattern, BOOKING)
