"""Password policy profiles of the API contract.

`classic` (the default): 8 to 128 characters, no white space, at least three of lower-case,
upper-case, digit and special character. `nist`: 15 to 128 characters, no composition rules.
Both refuse common passwords (a list that ships with this package) and passwords that contain
the email's local part.

The rules of a profile are data (`rules()`): the API checks a password against them here, and
the hosted pages send the same list to the browser, whose script ticks each rule as the
customer types (`pages/static/pages.js` knows each rule by its `name`). A rule the browser
cannot check (the common-password list stays on the server) is marked `server_only`.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from handover.errors import PasswordPolicyViolation
from handover.identity.passwords import MAX_PASSWORD_LENGTH

Profile = Literal["classic", "nist"]
MIN_LENGTH: dict[str, int] = {"classic": 8, "nist": 15}
CLASSES_NEEDED = 3
_DECORATIONS = (string.punctuation + " ", string.digits + string.punctuation + " ")


@dataclass(frozen=True)
class Rule:
    """One rule of a profile: its stable name (the API's `failed_rules`), what it asks in words,
    and the parameters both checks (here and in the browser) read."""

    name: str
    label: str
    params: dict[str, Any] = field(default_factory=dict)
    server_only: bool = False

    def as_data(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "params": self.params, "server_only": self.server_only}


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("handover.identity").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def rules(profile: Profile, email: str) -> list[Rule]:
    """The profile's rules for a password of the account with this email, in the stable order of
    `failed_rules`."""
    local_part = email.partition("@")[0].lower()
    listed = [Rule("min_length", f"At least {MIN_LENGTH[profile]} characters", {"min": MIN_LENGTH[profile]}),
              Rule("max_length", f"At most {MAX_PASSWORD_LENGTH} characters", {"max": MAX_PASSWORD_LENGTH})]
    if profile == "classic":
        listed += [Rule("no_whitespace", "No spaces"),
                   Rule("character_classes", "At least 3 of: lower-case, upper-case, digit, symbol",
                        {"needed": CLASSES_NEEDED})]
    listed.append(Rule("common_password", "Not a common password (checked when you submit)", server_only=True))
    if len(local_part) >= 3:
        listed.append(Rule("contains_email", "Does not contain your email's name", {"local_part": local_part}))
    return listed


def _classes(password: str) -> int:
    return sum([any(ch.islower() for ch in password), any(ch.isupper() for ch in password),
                any(ch.isdigit() for ch in password), any(not ch.isalnum() and not ch.isspace() for ch in password)])


def _common(password: str) -> bool:
    lowered = password.lower()
    return any(variant in common_passwords() for variant in (lowered, *(lowered.strip(d) for d in _DECORATIONS)))


_BREAKS: dict[str, Callable[[str, dict[str, Any]], bool]] = {
    "min_length": lambda password, params: len(password) < params["min"],
    "max_length": lambda password, params: len(password) > params["max"],
    "no_whitespace": lambda password, _params: any(ch.isspace() for ch in password),
    "character_classes": lambda password, params: _classes(password) < params["needed"],
    "common_password": lambda password, _params: _common(password),
    "contains_email": lambda password, params: params["local_part"] in password.lower(),
}


def failed_rules(password: str, *, profile: Profile, email: str) -> list[str]:
    """The names of the rules the password breaks, in a stable order; empty when it passes. An
    overlong password is only told so (nothing else is worth checking on it)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return ["max_length"]
    return [rule.name for rule in rules(profile, email) if _BREAKS[rule.name](password, rule.params)]


def enforce(password: str, *, profile: Profile, email: str) -> None:
    failed = failed_rules(password, profile=profile, email=email)
    if failed:
        raise PasswordPolicyViolation(failed)
