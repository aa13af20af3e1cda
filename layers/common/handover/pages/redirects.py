"""Where a sign-in may send the browser: never an open redirect.

`return_to` is followed only when it is an absolute `https://` URL, written plainly, whose
origin is one of the business's `return_to_origins` (stored lower-case, without the default
port). Anything a browser or a URL parser could read two ways is refused rather than repaired:
a missing or other scheme (`//evil`, `https:evil`, `javascript:`), a backslash, white space or
control characters anywhere, a user name or password (`https://shop.example@evil`), percent
signs or anything but letters, digits, hyphens and dots in the host. Scheme and host compare
case-insensitively, as origins do.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no space
_ABSOLUTE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>[/?#].*)?", re.DOTALL)
_HOST = re.compile(r"(?P<host>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::(?P<port>[0-9]{1,5}))?")
MAX_RETURN_TO = 2000


def origin_of(url: str) -> str | None:
    """The origin of a plain https URL (`https://host[:port]`, lower-case, no default port), or
    None when the URL is anything else."""
    if not url or len(url) > MAX_RETURN_TO or not _PLAIN.fullmatch(url) or "\\" in url:
        return None
    parts = _ABSOLUTE.fullmatch(url)
    if parts is None or parts["scheme"].lower() != "https":
        return None
    host = _HOST.fullmatch(parts["authority"].lower())
    if host is None or ".." in host["host"]:
        return None
    port = host["port"]
    if port is not None and not 0 < int(port) <= 65535:
        return None
    return f"https://{host['host']}" + ("" if port in (None, "443") else f":{int(port)}")


def allowed_return(return_to: str | None, origins: list[str]) -> str | None:
    """`return_to` (its origin written canonically) when its origin is allowed; otherwise None."""
    origin = origin_of(return_to or "")
    if origin is None or origin not in origins:
        return None
    rest = _ABSOLUTE.fullmatch(return_to or "")
    assert rest is not None
    return origin + (rest["rest"] or "/")


def after_sign_in(return_to: str | None, origins: list[str], portal_url: str | None, fallback: str) -> str:
    """Where a signed-in browser goes: an allowed `return_to`, else the business's portal, else
    `fallback` (the hosted account page)."""
    return allowed_return(return_to, origins) or portal_url or fallback
