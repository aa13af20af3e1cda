"""The mailer renders both parts itself: values are escaped in HTML, and a subject stays one line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from handover.mail.mailer import Branding, Mailer


def test_a_subject_can_never_carry_a_header() -> None:
    # Given a business name with a line break and a header after it
    mailer = Mailer(ses=None, sender="no-reply@handover.example")

    # When an invite is rendered for it
    email = mailer.render("invite", to="a@example.com", subject="Your Evil\r\nBcc: all@example.com\n account",
                          first_name="Ann", brand=Branding("Evil", "https://portal.example"),
                          link_url="https://portal.example/claim?token=t", expires_at="2026-12-01T00:00:00Z")

    # Then the subject is one line
    assert "\r" not in email.subject and "\n" not in email.subject
    assert email.subject == "Your Evil Bcc: all@example.com account"


def test_names_are_escaped_in_html_and_kept_in_text() -> None:
    mailer = Mailer(ses=None, sender="no-reply@handover.example")
    email = mailer.render("reset", to="a@example.com", subject="Reset", first_name="<img src=x onerror=alert(1)>",
                          first_password=False, brand=Branding("A & B <Studio>", "https://portal.example"),
                          link_url="https://portal.example/reset?token=t", expires_at="2026-12-01T00:00:00Z")
    assert "<img" not in email.html and "&lt;img src=x onerror=alert(1)&gt;" in email.html
    assert "A &amp; B &lt;Studio&gt;" in email.html
    assert "<img src=x onerror=alert(1)>" in email.text


def render(kind: str, brand: Branding) -> Any:
    return Mailer(ses=None, sender="no-reply@handover.example").render(
        kind, to="a@example.com", subject="S", first_name="Ann", first_password=False, brand=brand,
        link_url="https://portal.example/claim?token=t", expires_at="2026-12-01T00:00:00Z")


def test_an_unbranded_email_has_no_logo_video_or_support_and_the_default_button() -> None:
    # When an invite is rendered for a business that set no branding
    email = render("invite", Branding("Demo Studio", "https://portal.example"))

    # Then it has none of the optional parts, and the button keeps the default blue with white text
    assert "<img" not in email.html and "video" not in email.html + email.text
    assert "Questions?" not in email.html + email.text
    assert "background: #2563eb; color: #ffffff;" in email.html


def test_the_business_s_branding_is_in_the_invite() -> None:
    # Given a business with a logo, a brand colour, a walk-through video and a support address
    brand = Branding("Demo & Co", "https://portal.example", support_email="help@demo.example",
                     video_url="https://videos.example/walkthrough?v=1&t=2", logo_url="https://cdn.example/logo.png",
                     brand_color="#0a7c3e")

    # When an invite is rendered
    email = render("invite", brand)

    # Then the logo (named by the business), the colour, the video and the address are in it
    assert '<img src="https://cdn.example/logo.png" alt="Demo &amp; Co"' in email.html
    assert "background: #0a7c3e; color: #ffffff;" in email.html
    assert '<a href="https://videos.example/walkthrough?v=1&amp;t=2">This short video</a>' in email.html
    assert "https://videos.example/walkthrough?v=1&t=2" in email.text
    assert 'href="mailto:help@demo.example"' in email.html and "help@demo.example" in email.text


def test_a_reset_email_has_the_branding_but_no_walkthrough() -> None:
    email = render("reset", Branding("Demo", "https://portal.example", support_email="help@demo.example",
                                     video_url="https://videos.example/w", logo_url="https://cdn.example/logo.png",
                                     brand_color="#0A7C3E"))
    assert "videos.example" not in email.html + email.text
    assert "cdn.example/logo.png" in email.html and "background: #0A7C3E;" in email.html
    assert "help@demo.example" in email.text


@pytest.mark.parametrize(("color", "background", "text"), [
    ("#ffd60a", "#ffd60a", "#1f2933"),  # a light brand colour gets dark text
    ("#000000", "#000000", "#ffffff"),
    ("red; background-image: url(https://evil.example)", "#2563eb", "#ffffff"),  # never lands in the style
    ("#12345", "#2563eb", "#ffffff"),
])
def test_the_button_is_legible_and_takes_only_a_colour(color: str, background: str, text: str) -> None:
    email = render("invite", Branding("Demo", "https://portal.example", brand_color=color))
    assert f"background: {background}; color: {text};" in email.html
    assert "evil.example" not in email.html


@pytest.mark.parametrize("kind", ["invite", "reset"])
def test_the_html_part_is_a_table_layout_with_inline_styles_and_nothing_remote_but_the_logo(kind: str) -> None:
    # When an email is rendered for a business with a logo
    email = render(kind, Branding("Demo", "https://portal.example", logo_url="https://cdn.example/logo.png"))

    # Then its HTML is laid out in presentation tables, styled inline only (no <style>, no stylesheet,
    # no web font), loads nothing but the logo, and a text part says the same
    html = email.html
    assert html.count('<table role="presentation"') >= 2
    assert "<style" not in html and "<link" not in html and "@import" not in html and "@font-face" not in html
    assert "class=" not in html
    assert set(re.findall(r'src="([^"]+)"', html)) == {"https://cdn.example/logo.png"}
    assert "https://portal.example/claim?token=t" in email.text and "Hello Ann," in email.text
