"""Web addresses a business gives the service (its settings): the pattern each one must match is
the rule itself, so the OpenAPI document states exactly what is accepted, and a refusal says
in words what is wrong.

A URL is https (http only on the loopback hosts `localhost` and `127.0.0.1`, which the dev
server uses), names a host by DNS labels (or an IPv4 address), perhaps a port, and no user name
or password; its path and query are plain or percent-encoded ASCII, with no fragment. The
portal URL has no query and no trailing slash (links are made by appending `/claim?token=…`).
An origin is `https://host[:port]` and nothing more. Scheme and host are stored lower-case,
and an origin's default port (443) is dropped.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field


def _any_case(word: str) -> str:
    return "".join(f"[{letter.upper()}{letter}]" for letter in word)


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*"
_PORT = r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
_LOOPBACK = rf"(?:{_any_case('localhost')}|127\.0\.0\.1)"
_SITE = rf"(?:{_any_case('https')}://{_HOST}|{_any_case('http')}://{_LOOPBACK}){_PORT}"
_PATH_CHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"

URL_PATTERN = rf"^{_SITE}(?:/{_PATH_CHAR}*)*(?:\?(?:{_PATH_CHAR}|[/?])*)?$"
PORTAL_PATTERN = rf"^{_SITE}(?:/{_PATH_CHAR}+)*$"
ORIGIN_PATTERN = rf"^{_any_case('https')}://{_HOST}{_PORT}$"
MAX_URL_LENGTH = 500  # settings live on the business's item, read on every staff request
MAX_ORIGIN_LENGTH = 300
MAX_ORIGINS = 20


def _checked(value: str, pattern: str, what: str) -> str:
    """`value` with its scheme and host in lower case, if it matches `pattern`; else why not."""
    if not re.fullmatch(pattern, value):
        raise ValueError(_why_not(value, what))
    scheme, _, rest = value.partition("://")
    site_end = min((at for at in (rest.find("/"), rest.find("?")) if at >= 0), default=len(rest))
    return f"{scheme.lower()}://{rest[:site_end].lower()}{rest[site_end:]}"


def _why_not(value: str, what: str) -> str:
    """The first rule `value` breaks, in words."""
    if any(character.isspace() or not character.isascii() for character in value):
        return "must not contain white space or characters outside ASCII (percent-encode them)"
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0  # reading a port that is no number to 65535 raises
    except ValueError:
        port_ok = False
    if not port_ok:
        return f"must be {what}: a host name and an optional port from 1 to 65535"
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.netloc:
        return f"must be {what}, starting https://"
    if "@" in parts.netloc:
        return "must not carry a user name or password"
    if not re.fullmatch(f"{_HOST}{_PORT}", parts.netloc):
        return "must name its host in letters, digits, hyphens and dots, with an optional port from 1 to 65535"
    if scheme == "http" and (what == "an origin" or parts.hostname not in ("localhost", "127.0.0.1")):
        return "must use https" + ("" if what == "an origin" else " (http only for localhost and 127.0.0.1)")
    if "#" in value:
        return "must not have a fragment (#...)"
    if what == "an origin":
        return "must be an origin: https://host or https://host:port, with no path or query"
    if what == "the portal URL" and "?" in value:
        return "must not have a query (?...)"
    if what == "the portal URL" and value.endswith("/"):
        return "must not end with a slash"
    return f"must be {what} whose path holds only letters, digits, the punctuation URLs allow and %-escapes" + (
        ", with no empty segment" if what == "the portal URL" else "")


def _web_url(value: str) -> str:
    return _checked(value, URL_PATTERN, "an https URL")


def _portal_url(value: str) -> str:
    return _checked(value, PORTAL_PATTERN, "the portal URL")


def _origin(value: str) -> str:
    origin = _checked(value, ORIGIN_PATTERN, "an origin")
    return origin.removesuffix(":443")


def _distinct(origins: list[str]) -> list[str]:
    return list(dict.fromkeys(origins))


WebUrl = Annotated[str, Field(max_length=MAX_URL_LENGTH, json_schema_extra={
    "pattern": URL_PATTERN, "description": "An https URL (http only for localhost and 127.0.0.1); no user name "
                                           "or password, no fragment"}), AfterValidator(_web_url)]
PortalUrl = Annotated[str, Field(max_length=MAX_URL_LENGTH, json_schema_extra={
    "pattern": PORTAL_PATTERN, "description": "The customer portal that claim and reset links point to: an https "
                                              "URL (http only for localhost and 127.0.0.1) without a query or a "
                                              "trailing slash"}), AfterValidator(_portal_url)]
Origin = Annotated[str, Field(max_length=MAX_ORIGIN_LENGTH, json_schema_extra={
    "pattern": ORIGIN_PATTERN, "description": "https://host or https://host:port; stored lower-case, without "
                                              "the default port"}), AfterValidator(_origin)]
Origins = Annotated[list[Origin], Field(max_length=MAX_ORIGINS), AfterValidator(_distinct)]
