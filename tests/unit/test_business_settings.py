"""Business settings: what a PATCH of the settings and a PUT of the custom fields accept, how
they normalise it, how a refusal names the field and says why; and when a business may send links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from handover.accounts.standing import send_links_allowed
from handover.contract.settings import CustomFieldDefinitions, SettingsPatch
from handover.contract.urls import ORIGIN_PATTERN, PORTAL_PATTERN, URL_PATTERN
from handover.data.accounts import AccountRecord
from pydantic import ValidationError

URL_SETTINGS = ["portal_url", "logo_url", "walkthrough_video_url"]
TWENTY_ORIGINS = [f"https://site{n}.example" for n in range(20)]


def refusals(body: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """(loc, msg) of each error of a body; none when it is accepted."""
    try:
        SettingsPatch.model_validate(body)
    except ValidationError as error:
        return [(issue["loc"], issue["msg"]) for issue in error.errors()]
    return []


@pytest.mark.parametrize(("setting", "sent", "kept"), [
    *[(name, url, kept) for name in URL_SETTINGS for url, kept in [
        ("https://portal.demo.example", "https://portal.demo.example"),
        ("HTTPS://Portal.Demo.EXAMPLE/App", "https://portal.demo.example/App"),
        ("https://portal.demo.example:8443/a/b", "https://portal.demo.example:8443/a/b"),
        ("https://192.0.2.10/x%20y", "https://192.0.2.10/x%20y"),
        ("http://localhost:5173", "http://localhost:5173"),
        ("http://LocalHost/portal", "http://localhost/portal"),
        ("http://127.0.0.1:3000/portal", "http://127.0.0.1:3000/portal"),
        ("https://portal.demo.example/" + "a" * 472, "https://portal.demo.example/" + "a" * 472),
    ]],
    ("logo_url", "https://cdn.demo.example/logo.png?v=2&size=big", "https://cdn.demo.example/logo.png?v=2&size=big"),
    ("logo_url", "https://cdn.demo.example/", "https://cdn.demo.example/"),
    ("walkthrough_video_url", "https://videos.example/watch?v=a/b?c", "https://videos.example/watch?v=a/b?c"),
    ("brand_color", "#0A7C3E", "#0a7c3e"),
    ("support_email", "  Help@Demo.example ", "Help@Demo.example"),  # normalised by the service
    ("invite_link_days", 1, 1), ("invite_link_days", 30, 30), ("invite_link_days", 14.0, 14),
    ("reset_link_minutes", 15, 15), ("reset_link_minutes", 1440, 1440),
    ("password_profile", "classic", "classic"), ("password_profile", "nist", "nist"),
    ("return_to_origins", ["https://App.Demo.example:443", "https://app.demo.example", "https://app.demo.example:8443"],
     ["https://app.demo.example", "https://app.demo.example:8443"]),
    ("return_to_origins", TWENTY_ORIGINS, TWENTY_ORIGINS),
    ("return_to_origins", [], []),
    *[(name, None, None) for name in [*URL_SETTINGS, "brand_color", "support_email"]],
])
def test_a_good_value_is_accepted_and_normalised(setting: str, sent: object, kept: object) -> None:
    # When a PATCH names one setting
    patch = SettingsPatch.model_validate({setting: sent})

    # Then that is the only change, as it will be stored
    assert patch.changes() == {setting: kept}


@pytest.mark.parametrize(("setting", "value", "reason"), [
    *[(name, url, reason) for name in URL_SETTINGS for url, reason in [
        ("http://portal.demo.example", "must use https"),
        ("http://localhost.evil.example", "must use https"),
        ("https://owner:secret@portal.demo.example", "user name or password"),
        ("https://owner@portal.demo.example", "user name or password"),
        ("https://portal.demo.example/page#top", "fragment"),
        ("https://portal.demo.example#", "fragment"),
        ("ftp://portal.demo.example", "starting https://"),
        ("javascript:alert(1)", "starting https://"),
        ("//portal.demo.example", "starting https://"),
        ("portal.demo.example", "starting https://"),
        ("https://", "starting https://"),
        ("https://portal demo.example", "white space"),
        ("https://portal.demo.example/caf\u00e9", "outside ASCII"),
        ("https://portal.demo.example/a b", "white space"),
        ("https://portal.demo.example\n", "white space"),
        (" https://portal.demo.example", "white space"),
        ("https://-portal.demo.example", "host in letters"),
        ("https://portal.demo.example.", "host in letters"),
        ("https://portal_demo.example", "host in letters"),
        ("https://portal.demo.example:0", "port from 1 to 65535"),
        ("https://portal.demo.example:65536", "port from 1 to 65535"),
        ("https://portal.demo.example:080", "port from 1 to 65535"),
        ("https://portal.demo.example:", "port from 1 to 65535"),
        ("https://[::1]/", "host in letters"),
        ("https://portal.demo.example/%zz", "%-escapes"),
        ("https://portal.demo.example/<script>", "%-escapes"),
        ("https://portal.demo.example/" + "a" * 473, "at most 500 characters"),
        (42, "valid string"),
    ]],
    ("portal_url", "https://portal.demo.example/", "must not end with a slash"),
    ("portal_url", "https://portal.demo.example/app/", "must not end with a slash"),
    ("portal_url", "https://portal.demo.example//app", "no empty segment"),
    ("portal_url", "https://portal.demo.example/app?tenant=1", "must not have a query"),
    ("portal_url", "https://portal.demo.example?", "must not have a query"),
    ("brand_color", "red", "#rrggbb"), ("brand_color", "#12345", "#rrggbb"), ("brand_color", "#1234567", "#rrggbb"),
    ("brand_color", "#12345g", "#rrggbb"), ("brand_color", "0a7c3e", "#rrggbb"),
    ("support_email", "x", "at least 3 characters"),
    ("invite_link_days", 0, "greater than or equal to 1"), ("invite_link_days", 31, "less than or equal to 30"),
    ("invite_link_days", "7", "whole number"), ("invite_link_days", 7.5, "whole number"),
    ("invite_link_days", True, "whole number"), ("invite_link_days", float("inf"), "whole number"),
    ("invite_link_days", None, "cannot be cleared"),
    ("reset_link_minutes", 14, "greater than or equal to 15"),
    ("reset_link_minutes", 1441, "less than or equal to 1440"),
    ("reset_link_minutes", None, "cannot be cleared"),
    ("password_profile", "strict", "'classic' or 'nist'"), ("password_profile", None, "cannot be cleared"),
    ("return_to_origins", ["https://app.demo.example/"], "no path or query"),
    ("return_to_origins", ["https://app.demo.example/login"], "no path or query"),
    ("return_to_origins", ["https://app.demo.example?x=1"], "no path or query"),
    ("return_to_origins", ["http://app.demo.example"], "must use https"),
    ("return_to_origins", ["http://localhost:5173"], "must use https"),
    ("return_to_origins", ["https://me@app.demo.example"], "user name or password"),
    ("return_to_origins", ["https://app.demo.example#x"], "fragment"),
    ("return_to_origins", ["https://" + "a" * 300], "at most 300 characters"),
    ("return_to_origins", [*TWENTY_ORIGINS, "https://one-more.example"], "at most 20 items"),
    ("return_to_origins", "https://app.demo.example", "valid list"),
    ("return_to_origins", None, "cannot be cleared"),
    ("name", "Renamed Studio", "Extra inputs are not permitted"),
    ("nickname", "renamed", "Extra inputs are not permitted"),
    ("send_links_allowed", True, "Extra inputs are not permitted"),
    ("colour", "#000000", "Extra inputs are not permitted"),
])
def test_a_bad_value_is_refused_naming_the_setting_and_saying_why(setting: str, value: object, reason: str) -> None:
    # When a PATCH names a bad value (beside a good one)
    found = refusals({"invite_link_days": 3, setting: value} if setting != "invite_link_days" else {setting: value})

    # Then the one error names that setting and says what is wrong
    assert len(found) == 1, found
    loc, message = found[0]
    assert loc[0] == setting and reason in message, found


def test_the_openapi_document_states_the_very_patterns_the_validators_apply() -> None:
    # Given the generated OpenAPI document
    document = json.loads((Path(__file__).parents[2] / "functions" / "docs" / "openapi.json").read_text())
    patch = document["components"]["schemas"]["SettingsPatch"]["properties"]

    # Then each address setting's pattern is the one its validator applies
    stated = {name: patch[name]["anyOf"][0]["pattern"] for name in URL_SETTINGS}
    stated["return_to_origins"] = patch["return_to_origins"]["items"]["pattern"]
    assert stated == {"portal_url": PORTAL_PATTERN, "logo_url": URL_PATTERN, "walkthrough_video_url": URL_PATTERN,
                      "return_to_origins": ORIGIN_PATTERN}
    # and every JSON Schema validator reads it alike (no lookaround, no flags)
    assert not any(look in pattern for pattern in stated.values() for look in ("(?=", "(?!", "(?<", "(?i"))


def definition(number: int, **changes: Any) -> dict[str, Any]:
    return {"key": f"field_{number}", "label": f"Field {number}", "type": "string", "required": False,
            "customer_editable": False, **changes}


def test_custom_field_keys_are_used_once_and_there_are_at_most_fifty() -> None:
    # Fifty fields with distinct keys are accepted; a 51st, a key used twice or another member are not
    assert len(CustomFieldDefinitions.model_validate({"fields": [definition(n) for n in range(50)]}).fields) == 50
    with pytest.raises(ValidationError, match="at most 50 items"):
        CustomFieldDefinitions.model_validate({"fields": [definition(n) for n in range(51)]})
    with pytest.raises(ValidationError, match="each key may be used once: field_1 is used more than once"):
        CustomFieldDefinitions.model_validate({"fields": [definition(1), definition(2), definition(3, key="field_1")]})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        CustomFieldDefinitions.model_validate({"fields": [], "version": 2})


@pytest.mark.parametrize(("age_days", "override", "allowed"), [
    (0, None, False), (30, None, False), (31, None, True), (0, True, True), (40, False, True),
])
def test_a_business_may_send_links_once_30_days_old_or_when_an_operator_says_so(
        age_days: int, override: bool | None, allowed: bool) -> None:
    # Given a business of that age, with or without an operator's word on sending links
    now = 1_800_000_000
    account = AccountRecord(id="A", name="A", nickname="a", created_at=now - age_days * 24 * 3600,
                            send_links=override)

    # Then it may send links when it is over 30 days old, or when an operator said it may
    assert send_links_allowed(account, now) is allowed
