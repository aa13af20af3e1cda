"""The pages' static script and stylesheet, and the one-line stylesheet that carries a
business's colour (a URL of its own, since the pages' CSP allows no inline style)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from aws_lambda_powertools.event_handler import Response

from handover.mail.mailer import Branding
from handover.pages.views import brand_color

_TYPES = {"pages.js": "text/javascript; charset=utf-8", "pages.css": "text/css; charset=utf-8"}
_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin"}


@cache
def _static(name: str) -> str:
    return resources.files("handover.pages").joinpath("static", name).read_text(encoding="utf-8")


def asset(name: str, query: dict[str, str]) -> Response[str]:
    if name == "brand.css":
        color = brand_color(query.get("c", ""))
        on_color = Branding("", "", brand_color=color).button_text_color
        return Response(status_code=200, content_type="text/css; charset=utf-8", headers=_HEADERS,
                        body=f":root {{ --brand: {color}; --on-brand: {on_color}; }}\n")
    if name not in _TYPES:
        return Response(status_code=404, content_type="text/plain; charset=utf-8", headers=_HEADERS,
                        body="Not found")
    return Response(status_code=200, content_type=_TYPES[name], headers=_HEADERS, body=_static(name))
