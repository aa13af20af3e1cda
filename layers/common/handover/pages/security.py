"""The headers every page carries, and CSRF protection for every form.

CSRF: a form page sets a random token in a `__Host-` cookie (Secure, HttpOnly, SameSite=Strict,
path /) and in a hidden field; a submission is accepted only when both are present and equal,
and, when the browser names where the request came from (`Origin`, `Sec-Fetch-Site`), only from
this very site. Another site can neither read the cookie nor set it.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from handover.pages.requests import PageRequest

CSRF_COOKIE = "__Host-handover-csrf"
CSRF_FIELD = "csrf"
CSRF_SECONDS = 2 * 3600


def page_headers(form_targets: tuple[str, ...] = ()) -> dict[str, str]:
    """A CSP with no inline script or style (scripts, styles and forms from this site only, images
    from this site or any https host for the business's logo), never framed, no referrer (the
    page's address may hold a link token), never stored. `form_targets` are the origins a form's
    redirect may lead to (a portal, an allowed `return_to`): Chromium applies `form-action` to
    the redirects after a submission too."""
    form_action = " ".join(("'self'", *form_targets))
    csp = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
           f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'; connect-src 'none'")
    return {
        "Content-Security-Policy": csp,
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_cookie(token: str) -> Cookie:
    return Cookie(CSRF_COOKIE, token, path="/", secure=True, http_only=True, max_age=CSRF_SECONDS,
                  same_site=SameSite.STRICT_MODE)


def csrf_token_for(request: PageRequest) -> str:
    """The form token to render: the browser's own when it has one (so two open tabs both work)."""
    held = request.cookies.get(CSRF_COOKIE, "")
    return held if 32 <= len(held) <= 64 else new_csrf_token()


def csrf_passes(request: PageRequest) -> bool:
    """The form's token matches the cookie's, and the browser, if it says where the request came
    from, says this site. (With `Referrer-Policy: no-referrer` Chromium sends `Origin: null` even
    from the same origin, so a null origin is left to the token and to Sec-Fetch-Site.)"""
    held = request.cookies.get(CSRF_COOKIE, "")
    sent = request.form.get(CSRF_FIELD, "")
    if not held or not sent or not hmac.compare_digest(held.encode(), sent.encode()):
        return False
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin", "null")
    return origin == "null" or urlsplit(origin).netloc == request.host
