"""DynamoDB's wire format: what goes in comes back out."""

from __future__ import annotations

from handover.data.wire import deserialise, serialise


def test_floats_are_stored_as_the_decimal_they_print_as_at_any_depth() -> None:
    # Given an item with floats at the top, in a map and in a list, beside ints and booleans
    item = {"price": 19.99, "fields": {"ratio": 0.1, "tags": [1.5, 2, True]}, "count": 3, "flag": False}

    # When it is put in DynamoDB's wire format
    wire = serialise(item)

    # Then each float is the number it prints as (not a binary fraction), and nothing else changed
    assert wire["price"] == {"N": "19.99"}
    assert wire["fields"]["M"]["ratio"] == {"N": "0.1"}
    assert wire["fields"]["M"]["tags"] == {"L": [{"N": "1.5"}, {"N": "2"}, {"BOOL": True}]}
    assert (wire["count"], wire["flag"]) == ({"N": "3"}, {"BOOL": False})
    # and read back it is the same item
    assert deserialise(wire) == item
