"""What every body of the public API (../shared/docs/api.md) is made of: the field types (with
the rules they enforce), ISO timestamps, and the problem+json error body. Request, response and
stored shapes are separate classes; the OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    SecretStr,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from handover.models import Model


class _Documented:
    """Adds keywords to a field's JSON schema (the OpenAPI document) without enforcing them
    through pydantic: the rule is enforced elsewhere, with its own error."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


# Free text is printable: str.isprintable() after the white space around it is trimmed, i.e. no
# control or format character, no line break, nothing unassigned. JSON Schema has no portable way
# to say that (a pattern would need Unicode property classes, read against whichever Unicode
# version its engine has), so the document names it as a format of its own.
PRINTABLE = _Documented(format="printable", description="Printable text: no control or format characters and no "
                                                        "line breaks; white space around it is trimmed")


def printable(value: str) -> str:
    if any(not ch.isprintable() for ch in value):
        raise ValueError("must not contain control characters or line breaks")
    return value


# An address the service accepts for sending email (handover.emails.normalise_email, which answers
# 422 `email_invalid` otherwise): ASCII, an unquoted dot-atom local part, and a domain of at least
# two LDH labels whose last one ends with a letter and is not a special-use name. (White space
# around it is trimmed first, as around every text.)
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"(?![A-Za-z0-9-]{2}--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = r"(?![A-Za-z0-9-]{2}--)(?:[A-Za-z0-9][A-Za-z0-9-]{0,61})?[A-Za-z]"
_SPECIAL_USE = "|".join("".join(f"[{c.upper()}{c}]" for c in name)
                        for name in ("arpa", "invalid", "local", "localhost", "onion", "test"))
ADDRESS_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?!(?:{_SPECIAL_USE})$){_TOP_LABEL}$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                 AfterValidator(printable), PRINTABLE]

# An email as typed at sign-in or forgot-password: any text (an unknown one is simply not found).
EmailText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]

# An email the service will write to (create, invite, reset): refused with 422 `email_invalid`
# unless it is an address that can receive email. Not `format: email`: that one (RFC 5321) caps
# the local part at 64 characters, which the service does not, so the pattern says it exactly.
EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
                         _Documented(pattern=ADDRESS_PATTERN, description="An address that can receive email "
                                     "(ASCII, unquoted, a domain name with a dot); refused with 422 email_invalid")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(printable),
                  PRINTABLE]

# Secrets are SecretStr so that no log line, even at DEBUG, can print them. A password may be long
# enough to reach the policy's own `max_length` rule, never long enough to cost anything.
PasswordText = Annotated[SecretStr, Field(min_length=1, max_length=4096)]
LinkToken = Annotated[SecretStr, Field(min_length=1, max_length=512)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(printable),
                   PRINTABLE]

# Custom field values: any JSON scalar here; whether it fits its field (type, range, choices, a
# required field present) is checked against the business's definitions on every write
# (handover.customers.fields), with a 422 naming the field. At most 50 keys, as there are at most
# 50 definitions.
CustomFieldValue = str | int | float | bool | None
CustomFields = Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=100)], CustomFieldValue],
                         Field(max_length=50)]


def whole_number(value: object) -> object:
    """A JSON integer, which may be written 7 or 7.0 (not "7", not true)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


def iso(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat().replace("+00:00", "Z")


class Body(Model):
    model_config = ConfigDict(extra="forbid")


class LockRequest(Body):
    reason: Reason | None = None


class ValidationIssue(Model):
    loc: list[str | int]
    msg: str
    type: str | None = None


class Problem(Model):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ValidationIssue] | None = None
    failed_rules: list[str] | None = None
