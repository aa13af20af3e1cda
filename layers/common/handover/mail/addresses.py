"""Email addresses: validated, normalised (trimmed, lower-cased), masked for logs and hints."""

from __future__ import annotations

import re

from handover.errors import EmailInvalid

# An address of the common shape: a dot-atom before the @-sign; after it, labels of letters, digits
# and hyphens, and a top-level domain of letters. email_validator accepts every such address whose
# domain is not special-use and has no "--" (reserved in a label's third and fourth place), and it
# normalises it to itself, lower-cased. It judges every other address: importing it compiles
# regular expressions for international addresses, some 24 ms of a cold start, which an address
# of the common shape does not need.
_COMMON = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                     r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")  # email_validator's SPECIAL_USE_DOMAIN_NAMES


def normalise_email(raw: str) -> str:
    if not raw.isascii():
        # SES cannot deliver to internationalised addresses; refuse them up front.
        raise EmailInvalid("Only addresses written in ASCII can receive email")
    address = raw.strip()
    return address.lower() if _common(address.lower()) else validated(address)


def _common(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return (len(address) <= 254 and len(local) <= 64 and len(domain) <= 253 and "--" not in domain
            and _COMMON.fullmatch(address) is not None
            and not any(domain == name or domain.endswith("." + name) for name in SPECIAL_USE))


def validated(address: str) -> str:
    """email_validator's verdict on an address, normalised."""
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise EmailInvalid(str(error)) from None
    return checked.normalized.lower()


def email_hint(email: str) -> str:
    """`j***@example.com`: enough for a person to recognise their own address."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
