"""Changes to a customer are computed from the customer as it was read (its directory index
items included) and written only if it is still that revision. When it is not, the action reads
the customer again and decides again: what changed meanwhile (a lock, a claim, a rename) is then
judged as if it had come first."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from handover.data.dynamo import FailureFactory
from handover.data.principals import CustomerRecord
from handover.data.wire import Item
from handover.errors import ChangedMeanwhile, CustomerLocked, HandoverError, NotFound, StorageUnavailable

T = TypeVar("T")
R = TypeVar("R")
ATTEMPTS = 3


def stale(expected: CustomerRecord) -> FailureFactory:
    """What a failed condition on a customer read as `expected` means."""

    def failure(old: Item | None) -> HandoverError:
        if old is None:
            return NotFound("No such customer")
        if old.get("revision", 0) != expected.revision or old.get("booking_count", 0) != expected.booking_count:
            return ChangedMeanwhile()
        if old.get("status") == "locked":
            return CustomerLocked()
        return StorageUnavailable("The customer changed meanwhile; please retry")

    return failure


def settle(act: Callable[[R], T], read: Callable[[], R], first: R | None = None) -> T:
    """`act(customer)` (which decides and writes), with the customer read again and the action
    decided again while it changed between its read and its write. `first` saves the first read
    when the caller has already made it."""
    customer = read() if first is None else first
    for number in range(ATTEMPTS):
        try:
            return act(customer)
        except ChangedMeanwhile:
            if number == ATTEMPTS - 1:
                raise
            customer = read()
    raise AssertionError("unreachable")
