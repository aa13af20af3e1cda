"""Opaque cursors: where the next page of a list starts, handed to the client as base64url JSON.
Each list checks that a cursor it is given names the caller's own business."""

from __future__ import annotations

import base64
import json

from handover.data.wire import Item
from handover.errors import CursorInvalid


def encode_cursor(key: Item | None) -> str | None:
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Item | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise CursorInvalid() from None
    if not isinstance(key, dict) or not all(isinstance(value, str) for value in key.values()):
        raise CursorInvalid()
    return key


def encode_position(account_id: str, after: str | None) -> str | None:
    """A cursor for a list ordered by a key: where the next page starts, in which business."""
    return encode_cursor({"acct": account_id, "after": after}) if after is not None else None


def position(cursor: str | None, account_id: str) -> str | None:
    """Where the page asked for starts; a cursor another business was given is refused."""
    decoded = decode_cursor(cursor)
    if decoded is None:
        return None
    if decoded.get("acct") != account_id or "after" not in decoded:
        raise CursorInvalid()
    return str(decoded["after"])
