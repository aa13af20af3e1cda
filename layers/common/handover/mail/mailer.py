"""The mailer: renders emails from the templates in this package and sends them through SES v2.

Both parts are rendered here (Jinja2, HTML autoescaped), so every value a customer or staff
member typed is escaped in HTML, and the subject is folded to one line so a name can never add
a header. Every email goes through the stack's configuration set (which publishes its delivery,
bounce and complaint to EventBridge) with tags naming what it carries, which come back on those
events (`mail/tags.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from handover.errors import EmailUnavailable

if TYPE_CHECKING:
    from jinja2 import Environment

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f]+")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_BUTTON_COLOR = "#2563eb"


@dataclass(frozen=True)
class Branding:
    account_name: str
    portal_url: str
    support_email: str | None = None
    video_url: str | None = None  # the walk-through video, in invites
    logo_url: str | None = None
    brand_color: str | None = None

    @property
    def button_color(self) -> str:
        """The brand colour when it is one (it lands in a style attribute, which HTML escaping
        does not make safe), else the default blue."""
        return self.brand_color if self.brand_color and _COLOR.fullmatch(self.brand_color) else DEFAULT_BUTTON_COLOR

    @property
    def button_text_color(self) -> str:
        """White on a dark button, dark on a light one (YIQ brightness), so the label stays legible."""
        red, green, blue = (int(self.button_color[start:start + 2], 16) for start in (1, 3, 5))
        return "#1f2933" if (red * 299 + green * 587 + blue * 114) / 1000 >= 150 else "#ffffff"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def one_line(text: str) -> str:
    """Control characters and runs of white space become one space."""
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


class Mailer:
    def __init__(self, ses: Any, sender: str, configuration_set: str | None = None) -> None:
        self._ses = ses
        self._sender = sender
        self._configuration_set = configuration_set

    @cached_property
    def _templates(self) -> Environment:
        from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape  # only where mail is sent

        return Environment(loader=PackageLoader("handover.mail", "templates"), undefined=StrictUndefined,
                           autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)

    def before_snapshot(self) -> None:
        """Loads and compiles every template now (SnapStart), not on the first email."""
        for name in self._templates.list_templates():
            self._templates.get_template(name)

    def render(self, template: str, *, to: str, subject: str, **values: Any) -> Email:
        return Email(
            to=to,
            subject=one_line(subject),
            text=self._templates.get_template(f"{template}.txt").render(**values),
            html=self._templates.get_template(f"{template}.html").render(**values),
        )

    def send_link(self, kind: str, *, to: str, first_name: str, first_password: bool, branding: Branding,
                  link_url: str, expires_at: str, tags: Mapping[str, str]) -> None:
        """An invite (claim your account) or a reset link (reset, or set a first password)."""
        if kind == "invite":
            subject = f"Your {branding.account_name} account is ready"
        elif first_password:
            subject = f"Set a password for your {branding.account_name} account"
        else:
            subject = f"Reset your {branding.account_name} password"
        self.send(self.render(kind, to=to, subject=subject, first_name=first_name, first_password=first_password,
                              brand=branding, link_url=link_url, expires_at=expires_at), tags)

    def send(self, email: Email, tags: Mapping[str, str] | None = None) -> None:
        """One SendEmail; `tags` (names and values of letters, digits, `_` and `-`) come back on
        the email's delivery, bounce and complaint events."""
        extra: dict[str, Any] = {}
        if self._configuration_set:
            extra["ConfigurationSetName"] = self._configuration_set
        if tags:
            extra["EmailTags"] = [{"Name": name, "Value": value} for name, value in tags.items()]
        try:
            self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [email.to]},
                Content={"Simple": {
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"},
                             "Html": {"Data": email.html, "Charset": "UTF-8"}},
                }},
                **extra,
            )
        except (ClientError, BotoCoreError):
            raise EmailUnavailable() from None
