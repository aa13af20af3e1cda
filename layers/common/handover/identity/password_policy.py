"""Password policy profiles of the API contract.

`classic` (the default): 8 to 128 characters, no white space, at least three of lower-case,
upper-case, digit and special character. `nist`: 15 to 128 characters, no composition rules.
Both refuse common passwords (a list that ships with this package) and passwords that contain
the email's local part.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from typing import Literal

from handover.errors import PasswordPolicyViolation
from handover.identity.passwords import MAX_PASSWORD_LENGTH

Profile = Literal["classic", "nist"]
MIN_LENGTH: dict[str, int] = {"classic": 8, "nist": 15}
_DECORATIONS = (string.punctuation + " ", string.digits + string.punctuation + " ")


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("handover.identity").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def failed_rules(password: str, *, profile: Profile, email: str) -> list[str]:
    """The names of the rules the password breaks, in a stable order; empty when it passes."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return ["max_length"]
    failed = []
    if len(password) < MIN_LENGTH[profile]:
        failed.append("min_length")
    if profile == "classic":
        if any(ch.isspace() for ch in password):
            failed.append("no_whitespace")
        classes = [
            any(ch.islower() for ch in password),
            any(ch.isupper() for ch in password),
            any(ch.isdigit() for ch in password),
            any(not ch.isalnum() and not ch.isspace() for ch in password),
        ]
        if sum(classes) < 3:
            failed.append("character_classes")
    lowered = password.lower()
    if any(variant in common_passwords() for variant in (lowered, *(lowered.strip(d) for d in _DECORATIONS))):
        failed.append("common_password")
    local_part = email.partition("@")[0].lower()
    if len(local_part) >= 3 and local_part in lowered:
        failed.append("contains_email")
    return failed


def enforce(password: str, *, profile: Profile, email: str) -> None:
    failed = failed_rules(password, profile=profile, email=email)
    if failed:
        raise PasswordPolicyViolation(failed)
