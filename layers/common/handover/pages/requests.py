"""What a page handler reads from an API Gateway (HTTP API v2) event: the query, the submitted
form (`application/x-www-form-urlencoded`), the cookies and the request's own origin."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

MAX_FORM_FIELD = 4096


@dataclass(frozen=True)
class PageRequest:
    method: str
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    source_ip: str = ""

    @classmethod
    def of(cls, event: dict[str, Any]) -> PageRequest:
        headers = {name.lower(): str(value) for name, value in (event.get("headers") or {}).items()}
        context = event.get("requestContext") or {}
        form: dict[str, str] = {}
        body = event.get("body") or ""
        if body and headers.get("content-type", "").split(";")[0].strip().lower() == \
                "application/x-www-form-urlencoded":
            text = base64.b64decode(body).decode("utf-8", "replace") if event.get("isBase64Encoded") else body
            form = {name: value[:MAX_FORM_FIELD] for name, value in parse_qsl(text, keep_blank_values=True)}
        # API Gateway moves the Cookie header into `cookies`; a plain header is read too.
        pairs = list(event.get("cookies") or []) + headers.get("cookie", "").split(";")
        cookies: dict[str, str] = {}
        for pair in pairs:
            name, _, value = pair.strip().partition("=")
            if name and name not in cookies:
                cookies[name] = value
        return cls(method=str((context.get("http") or {}).get("method") or "GET").upper(),
                   query={name: str(value) for name, value in (event.get("queryStringParameters") or {}).items()},
                   form=form, cookies=cookies, headers=headers,
                   source_ip=str((context.get("http") or {}).get("sourceIp") or ""))

    def value(self, name: str) -> str:
        """A form field (or, on a GET, a query parameter), trimmed of nothing: passwords keep their spaces."""
        return self.form.get(name, "") if self.method == "POST" else self.query.get(name, "")

    @property
    def host(self) -> str:
        return self.headers.get("host", "")
