"""A cookie-keeping client for the hosted pages, through the in-process API Gateway emulation:
what a browser without a script would do (GET a page, submit its form with its CSRF token)."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

from tests.conftest import Api, Reply

HOST = "pages.example"
FORM = "application/x-www-form-urlencoded"


class PageClient:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.cookies: dict[str, str] = {}

    def get(self, target: str) -> Reply:
        return self._keep(self.api.call("GET", target, headers=self._headers()))

    def post(self, target: str, fields: dict[str, str], *, origin: str | None = f"https://{HOST}",
             csrf: str | None = None, fetch_site: str = "same-origin") -> Reply:
        """Submit a form; its CSRF field is the cookie's token unless `csrf` says otherwise."""
        headers = {**self._headers(), "content-type": FORM, "sec-fetch-site": fetch_site}
        if origin is not None:
            headers["origin"] = origin
        token = self.cookies.get("__Host-handover-csrf", "") if csrf is None else csrf
        raw = urlencode({"csrf": token, **fields}).encode()
        return self._keep(self.api.call("POST", target, headers=headers, raw=raw))

    def _headers(self) -> dict[str, str]:
        headers = {"host": HOST}
        if self.cookies:
            headers["cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def _keep(self, reply: Reply) -> Reply:
        for line in set_cookies(reply):
            pair = line.split(";")[0]
            name, _, value = pair.partition("=")
            if "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply


def set_cookies(reply: Reply) -> list[str]:
    return [line for line in reply.headers.get("set-cookie", "").split("\n") if line]


def text_of(reply: Reply) -> str:
    """The page's visible words, roughly: tags dropped, entities decoded, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", reply.body.decode())).split())


def hidden(reply: Reply, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', reply.body.decode())
    assert found, f"no field {name}"
    return html.unescape(found.group(1))
