"""The page flow's session, kept in one cookie: `Secure; HttpOnly; SameSite=Strict`, scoped to
`/account` (the only page that needs it) and never read by the JSON API, which takes bearer
tokens only.

The cookie holds the access token of the token response. Token responses now also carry a
refresh token (issue 14); the page flow does not keep it yet (a page session lasts as long as
its access token, then the customer signs in again): this module is the one place to keep it
beside the access token and to refresh it.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from handover.identity.sessions import IssuedToken

SESSION_COOKIE = "__Secure-handover-session"
SESSION_PATH = "/account"


def session_cookie(issued: IssuedToken) -> Cookie:
    """The cookie that signs the browser in, for as long as the access token lives."""
    return Cookie(SESSION_COOKIE, issued.access_token, path=SESSION_PATH, secure=True, http_only=True,
                  max_age=issued.expires_in, same_site=SameSite.STRICT_MODE)


def ended_session() -> Cookie:
    """The cookie that signs the browser out."""
    return Cookie(SESSION_COOKIE, "", path=SESSION_PATH, secure=True, http_only=True, max_age=0,
                  same_site=SameSite.STRICT_MODE)


def session_token(cookies: Mapping[str, str]) -> str | None:
    """The access token the browser holds, if any."""
    return cookies.get(SESSION_COOKIE) or None
