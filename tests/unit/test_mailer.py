"""The mailer renders both parts itself: values are escaped in HTML, and a subject stays one line."""

from __future__ import annotations

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
