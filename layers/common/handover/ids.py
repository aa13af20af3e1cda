"""Opaque, time-ordered ids (ULIDs) and random tokens."""

from __future__ import annotations

import os
import secrets
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_last = [0, 0]  # the millisecond and the random part of the latest id made in this process
_lock = threading.Lock()


def new_id(now: float | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32. Monotonic within
    a process: an id made in the same millisecond as the one before is that one plus one, so ids
    made one after the other (the events of one transaction, say) sort in the order they were made."""
    millis = int((time.time() if now is None else now) * 1000)
    with _lock:
        if millis == _last[0] and _last[1] < (1 << 80) - 1:
            _last[1] += 1
        else:
            _last[0], _last[1] = millis, int.from_bytes(os.urandom(10), "big")
        value = (millis << 80) | _last[1]
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def is_id(text: str) -> bool:
    return len(text) == 26 and all(ch in _CROCKFORD for ch in text)


def new_token() -> str:
    """32 random bytes, base64url without padding: what a link carries."""
    return secrets.token_urlsafe(32)
