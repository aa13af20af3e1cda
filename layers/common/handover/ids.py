"""Opaque, time-ordered ids (ULIDs) and random tokens."""

from __future__ import annotations

import os
import secrets
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(now: float | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def is_id(text: str) -> bool:
    return len(text) == 26 and all(ch in _CROCKFORD for ch in text)


def new_token() -> str:
    """32 random bytes, base64url without padding: what a link carries."""
    return secrets.token_urlsafe(32)
