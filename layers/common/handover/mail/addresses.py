"""Email addresses: validated, normalised (trimmed, lower-cased), masked for logs and hints."""

from __future__ import annotations

from handover.errors import EmailInvalid


def normalise_email(raw: str) -> str:
    if not raw.isascii():
        # SES cannot deliver to internationalised addresses; refuse them up front.
        raise EmailInvalid("Only addresses written in ASCII can receive email")
    from email_validator import EmailNotValidError, validate_email  # tens of ms: only where emails arrive

    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise EmailInvalid(str(error)) from None
    return checked.normalized.lower()


def email_hint(email: str) -> str:
    """`j***@example.com`: enough for a person to recognise their own address."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
