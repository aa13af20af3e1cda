"""Rendering a page: its template (Jinja2, autoescaped), the business's branding, the CSRF token
of its forms, and the headers every page carries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie

from handover.errors import HandoverError
from handover.mail.mailer import DEFAULT_BUTTON_COLOR, Branding
from handover.pages.requests import PageRequest
from handover.pages.security import csrf_cookie, csrf_token_for, page_headers

if TYPE_CHECKING:
    from jinja2 import Environment

    from handover.data.accounts import AccountRecord

HTML = "text/html; charset=utf-8"
logger = Logger(child=True)
_HEX = re.compile(r"#([0-9a-fA-F]{6})")


@cache
def templates() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("handover.pages", "templates"), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def compile_templates() -> None:
    """Loads and compiles every page template now (SnapStart's before-snapshot hook), not on a
    page's first request."""
    for name in templates().list_templates():
        templates().get_template(name)


@dataclass(frozen=True)
class Brand:
    """What a page shows of the business: its name, logo and colour (the stylesheet that carries
    the colour is a URL of its own, as the CSP allows no inline style)."""

    name: str = "Handover"
    nickname: str = ""
    logo_url: str | None = None
    color: str = DEFAULT_BUTTON_COLOR
    support_email: str | None = None

    @classmethod
    def of(cls, account: AccountRecord | None) -> Brand:
        if account is None:
            return cls()
        color = Branding(account.name, "", brand_color=account.brand_color).button_color
        return cls(name=account.name, nickname=account.nickname, logo_url=account.logo_url, color=color,
                   support_email=account.support_email)

    @property
    def stylesheet(self) -> str:
        return f"/pages/brand.css?c={self.color.lstrip('#').lower()}"


@dataclass
class Page:
    """A page to render: its template, values, status and anything it adds to the answer."""

    template: str
    brand: Brand
    values: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    cookies: list[Cookie] = field(default_factory=list)
    form_targets: tuple[str, ...] = ()


def render(page: Page, request: PageRequest) -> Response[str]:
    csrf = csrf_token_for(request)
    body = templates().get_template(f"{page.template}.html").render(brand=page.brand, csrf=csrf, **page.values)
    return Response(status_code=page.status, content_type=HTML, body=body,
                    headers=page_headers(page.form_targets), cookies=[csrf_cookie(csrf), *page.cookies])


def redirect(location: str, *cookies: Cookie) -> Response[str]:
    """A 303 See Other (the browser follows it with a GET), with the page headers."""
    return Response(status_code=303, content_type=HTML, body="", headers={**page_headers(), "Location": location},
                    cookies=list(cookies))


def brand_color(query_value: str) -> str:
    """The colour a brand stylesheet is asked for, when it is one; else the default."""
    match = _HEX.fullmatch(f"#{query_value}")
    return f"#{match.group(1).lower()}" if match else DEFAULT_BUTTON_COLOR


def error_page(error: Exception) -> Response[str]:
    """What a page answers when something failed on the way: a friendly page with the error's
    status (never problem+json, never a trace); a dependency that failed says to try again."""
    if isinstance(error, HandoverError) and error.status < 500:
        status, heading, text = error.status, "Something is not right", error.detail
    elif isinstance(error, HandoverError):
        logger.warning("dependency failed", extra={"code": error.code})
        status, heading = error.status, "Please try again in a moment"
        text = "A service this page needs did not answer. Nothing was changed."
    else:
        logger.exception("unhandled error")
        status, heading, text = 500, "Something went wrong on our side", "Please try again later."
    return render(Page("message", Brand(), {"heading": heading, "text": text}, status=status), PageRequest("GET"))
