"""Client businesses (accounts): finding one by nickname or id."""

from __future__ import annotations

from handover.data.directory import AccountRecord, Directory
from handover.ids import is_id


def find_account(directory: Directory, reference: str) -> AccountRecord | None:
    """`reference` is the business's id or its nickname (case-insensitive)."""
    reference = reference.strip()
    if is_id(reference):
        return directory.account(reference)
    return directory.account_by_nickname(reference.lower())
