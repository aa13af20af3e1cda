"""The owner's settings: reading and changing them, what is refused, who may, and how links,
emails and the password policy follow them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from handover.contract.common import iso
from handover.contract.settings import SettingsPatch
from handover.errors import AccountLocked
from handover.links.tokens import hash_token
from handover.runtime import Runtime

from tests.conftest import (
    DEMO_FRONTDESK,
    DEMO_OWNER,
    OPERATOR,
    Api,
    invoke,
    last_link_token,
    sample_event,
    sent_emails,
)

DEFAULTS = {"name": "Demo Studio", "nickname": "demo", "send_links_allowed": False, "portal_url": None,
            "support_email": None, "logo_url": None, "brand_color": None, "walkthrough_video_url": None,
            "invite_link_days": 7, "reset_link_minutes": 60, "password_profile": "classic", "return_to_origins": []}

TWENTY_ORIGINS = [f"https://site{n}.example" for n in range(20)]


def settings_of(api: Api, token: str) -> dict[str, Any]:
    reply = api.call("GET", "/v1/settings", token=token)
    assert reply.status == 200, reply.body
    settings: dict[str, Any] = reply.json()["settings"]
    return settings


def test_the_owner_reads_the_defaults(api: Api) -> None:
    # When the owner of a new business reads its settings
    settings = settings_of(api, api.login(DEMO_OWNER))

    # Then every setting is there, at its default, with the read-only name, nickname and link permission
    assert settings == DEFAULTS


CHANGES = [  # (setting, as sent, as kept); tests/unit/test_business_settings.py has every edge
    ("portal_url", "https://Portal.Demo.example/app", "https://portal.demo.example/app"),
    ("portal_url", "http://localhost:5173", "http://localhost:5173"),
    ("support_email", "  Help@Demo.EXAMPLE ", "help@demo.example"),
    ("logo_url", "https://cdn.demo.example/Logo%20Big.png?v=2", "https://cdn.demo.example/Logo%20Big.png?v=2"),
    ("brand_color", "#0A7C3E", "#0a7c3e"),
    ("walkthrough_video_url", "https://videos.example:8443/watch?v=a&t=1", "https://videos.example:8443/watch?v=a&t=1"),
    ("invite_link_days", 30, 30), ("invite_link_days", 1, 1),
    ("reset_link_minutes", 1440, 1440), ("reset_link_minutes", 15, 15),
    ("password_profile", "nist", "nist"),
    ("return_to_origins", ["https://App.Demo.example:443", "https://app.demo.example", "https://admin.demo.example:8443"],
     ["https://app.demo.example", "https://admin.demo.example:8443"]),
    ("return_to_origins", TWENTY_ORIGINS, TWENTY_ORIGINS),
]


def test_each_setting_changes_on_its_own(api: Api) -> None:
    # Given the owner
    owner = api.login(DEMO_OWNER)
    expected = dict(DEFAULTS)

    for setting, sent, kept in CHANGES:
        # When they change one setting
        reply = api.call("PATCH", "/v1/settings", {setting: sent}, token=owner)

        # Then the answer and a later read show it as kept, and every other setting as it was
        expected[setting] = kept
        assert reply.status == 200, (setting, reply.body)
        assert reply.json()["settings"] == settings_of(api, owner) == expected, setting


def test_null_clears_an_optional_setting_and_leaving_one_out_keeps_it(api: Api) -> None:
    # Given a business with its branding set
    owner = api.login(DEMO_OWNER)
    branding = {"portal_url": "https://portal.demo.example", "support_email": "help@demo.example",
                "logo_url": "https://cdn.demo.example/logo.png", "brand_color": "#112233",
                "walkthrough_video_url": "https://videos.demo.example/w"}
    assert api.call("PATCH", "/v1/settings", {**branding, "invite_link_days": 3}, token=owner).status == 200

    # When one PATCH clears two of them, and an empty PATCH follows
    cleared = api.call("PATCH", "/v1/settings", {"logo_url": None, "brand_color": None}, token=owner)
    nothing = api.call("PATCH", "/v1/settings", {}, token=owner)

    # Then those two are back to nothing, and the rest stays as it was
    expected = {**DEFAULTS, **branding, "invite_link_days": 3, "logo_url": None, "brand_color": None}
    assert cleared.status == nothing.status == 200
    assert cleared.json()["settings"] == nothing.json()["settings"] == settings_of(api, owner) == expected


BAD = [  # (body, the field named, code); tests/unit/test_business_settings.py has every rule
    ({"portal_url": "http://portal.demo.example"}, "portal_url", "validation_error"),
    ({"portal_url": "https://portal.demo.example/"}, "portal_url", "validation_error"),
    ({"logo_url": "https://owner:secret@cdn.demo.example/logo.png"}, "logo_url", "validation_error"),
    ({"walkthrough_video_url": "https://videos.example/w#t=5"}, "walkthrough_video_url", "validation_error"),
    ({"brand_color": "red"}, "brand_color", "validation_error"),
    ({"support_email": "not-an-address"}, "support_email", "email_invalid"),
    ({"invite_link_days": 31}, "invite_link_days", "validation_error"),
    ({"reset_link_minutes": 14}, "reset_link_minutes", "validation_error"),
    ({"reset_link_minutes": None}, "reset_link_minutes", "validation_error"),
    ({"password_profile": "strict"}, "password_profile", "validation_error"),
    ({"return_to_origins": ["https://app.demo.example/login"]}, "return_to_origins", "validation_error"),
    ({"return_to_origins": [*TWENTY_ORIGINS, "https://one-more.example"]}, "return_to_origins", "validation_error"),
    ({"name": "Renamed Studio"}, "name", "validation_error"),
    ({"send_links_allowed": True}, "send_links_allowed", "validation_error"),
]


def test_a_bad_value_is_a_422_naming_the_field_and_changes_nothing(api: Api) -> None:
    # Given the owner
    owner = api.login(DEMO_OWNER)

    for body, field, code in BAD:
        # When a PATCH carries a bad value, an unknown field or a read-only one, beside a good change
        reply = api.call("PATCH", "/v1/settings", {"invite_link_days": 3, **body}, token=owner)

        # Then it is refused as problem+json naming that field (and, in a list, the item), and no
        # setting changed
        assert (reply.status, reply.code) == (422, code), (body, reply.body)
        assert reply.headers["content-type"] == "application/problem+json"
        assert [error["loc"][:2] for error in reply.json()["errors"]] == [["body", field]], body
        assert all(error["msg"] for error in reply.json()["errors"])
        assert settings_of(api, owner) == DEFAULTS, body


def test_only_the_owner_may_read_or_change_settings(api: Api) -> None:
    # Given a staff member, a customer, an operator, and an operator logged in as that staff member
    owner = api.login(DEMO_OWNER)
    frontdesk = api.login(DEMO_FRONTDESK)
    _, customer = api.claimed_customer(owner)
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    staff_id = json.loads(__import__("base64").urlsafe_b64decode(frontdesk.split(".")[1] + "=="))["sub"]
    as_frontdesk = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"staff_id": staff_id},
                            token=operator).json()["access_token"]

    # When each of them, and someone without a token, reads and changes the settings
    for token, status in ((frontdesk, 403), (customer, 403), (operator, 403), (as_frontdesk, 403), (None, 401)):
        for method, path, body in (("GET", "/v1/settings", None), ("PATCH", "/v1/settings", {"brand_color": "#000000"}),
                                   ("GET", "/v1/settings/custom-fields", None),
                                   ("PUT", "/v1/settings/custom-fields", {"fields": []})):
            reply = api.call(method, path, body, token=token)

            # Then each is refused, and nothing changed
            assert reply.status == status, (method, path, reply.body)
    assert settings_of(api, owner) == DEFAULTS


def test_an_operator_logged_in_as_the_owner_changes_settings_on_the_record(api: Api) -> None:
    # Given an operator logged in as Demo Studio's owner
    operator = api.login(OPERATOR)
    account_id = api.account_id("demo")
    acting = api.call("POST", f"/v1/operator/accounts/{account_id}/login-as", {"reason": "ticket 42"},
                      token=operator).json()["access_token"]

    # When they change settings (clearing one) and the custom fields
    changed = api.call("PATCH", "/v1/settings", {"invite_link_days": 3, "logo_url": None}, token=acting)
    fields = {"fields": [{"key": "tier", "label": "Tier", "type": "string", "required": False,
                          "customer_editable": False}]}
    replaced = api.call("PUT", "/v1/settings/custom-fields", fields, token=acting)

    # Then both work, and history holds both, with both identities and what changed
    assert (changed.status, replaced.status) == (200, 200)
    assert changed.json()["settings"]["invite_link_days"] == 3
    items = api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"]
    assert [item["action"] for item in items] == ["settings.custom_fields_replaced", "settings.changed",
                                                  "operator.login_as"]
    for item in items[:2]:
        assert (item["actor"]["realm"], item["actor"]["email"]) == ("operator", "operator@example.com")
        assert (item["on_behalf_of"]["realm"], item["on_behalf_of"]["email"]) == ("staff", "owner@demo.example")
        assert item["target"] == {"type": "account", "id": account_id}
    assert items[0]["details"] == {"keys": ["tier"]}
    assert items[1]["details"] == {"set": {"invite_link_days": 3}, "cleared": ["logo_url"]}

    # And the owner's own changes are not written to history
    owner = api.login(DEMO_OWNER)
    assert api.call("PATCH", "/v1/settings", {"invite_link_days": 4}, token=owner).status == 200
    assert api.call("PUT", "/v1/settings/custom-fields", {"fields": []}, token=owner).status == 200
    assert len(api.call("GET", f"/v1/operator/accounts/{account_id}/history", token=operator).json()["items"]) == 3


def test_links_issued_after_a_change_live_as_long_as_the_new_settings_say(api: Api, seeded: Runtime) -> None:
    # Given a customer invited under the default lifetime
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "robin@example.com")
    before = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).json()["expires_at"]
    first = seeded.links.store.get(hash_token(last_link_token("robin@example.com")))
    assert first is not None and first.expires_at - first.created_at == 7 * 24 * 3600

    # When the owner shortens invites to 2 days and resets to 15 minutes, and links are sent again
    assert api.call("PATCH", "/v1/settings", {"invite_link_days": 2, "reset_link_minutes": 15},
                    token=owner).status == 200
    invited = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)
    invite = seeded.links.store.get(hash_token(last_link_token("robin@example.com")))
    reset = api.call("POST", f"/v1/customers/{customer['id']}/password-reset", {}, token=owner)
    reset_link = seeded.links.store.get(hash_token(last_link_token("robin@example.com")))

    # Then the invite lives 2 days (as its expires_at says) and the reset link 15 minutes
    assert invite is not None and reset_link is not None
    assert invite.expires_at - invite.created_at == 2 * 24 * 3600
    assert invited.json()["expires_at"] == iso(invite.expires_at) != before
    assert reset_link.expires_at - reset_link.created_at == 15 * 60
    assert reset.json()["expires_at"] == iso(reset_link.expires_at)


def test_the_invite_carries_the_walkthrough_video_the_support_address_and_the_branding(api: Api) -> None:
    # Given a customer invited before any branding was set
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "robin@example.com")
    assert api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202
    plain = sent_emails()[-1]["html"]

    # When the owner sets a video, a support address, a logo and a colour, and invites again
    assert api.call("PATCH", "/v1/settings", {
        "walkthrough_video_url": "https://videos.demo.example/welcome?t=5", "support_email": "Help@Demo.example",
        "logo_url": "https://cdn.demo.example/logo.png", "brand_color": "#0A7C3E",
        "portal_url": "https://portal.demo.example"}, token=owner).status == 200
    assert api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202
    branded = sent_emails()[-1]["html"]

    # Then only the second email has them, and its link points at the business's portal
    for part in ('href="https://videos.demo.example/welcome?t=5"', 'href="mailto:help@demo.example"',
                 '<img src="https://cdn.demo.example/logo.png" alt="Demo Studio"', "background: #0a7c3e;",
                 'href="https://portal.demo.example/claim?token='):
        assert part in branded and part not in plain
    assert "background: #2563eb;" in plain


def test_the_nist_profile_applies_to_passwords_set_by_staff_from_then_on(api: Api) -> None:
    # Given a customer, and a 10-character password that the classic profile accepts
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner)
    password = {"password": "Quiet-Ox-7"}
    assert api.call("PUT", f"/v1/customers/{customer['id']}/password", password, token=owner).status == 204

    # When the owner switches to the nist profile (which wants 15 characters)
    assert api.call("PATCH", "/v1/settings", {"password_profile": "nist"}, token=owner).status == 200
    refused = api.call("PUT", f"/v1/customers/{customer['id']}/password", password, token=owner)

    # Then the same password is refused for its length
    assert (refused.status, refused.code) == (422, "password_policy")
    assert refused.json()["failed_rules"] == ["min_length"]
    assert api.call("PUT", f"/v1/customers/{customer['id']}/password", {"password": "quiet ox seven lanterns"},
                    token=owner).status == 204


def test_the_same_idempotency_key_answers_the_first_patch_again(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    key = {"idempotency-key": "settings-1"}
    first = api.call("PATCH", "/v1/settings", {"invite_link_days": 5}, token=owner, headers=key)
    api.call("PATCH", "/v1/settings", {"invite_link_days": 9}, token=owner)
    again = api.call("PATCH", "/v1/settings", {"invite_link_days": 5}, token=owner, headers=key)
    other = api.call("PATCH", "/v1/settings", {"invite_link_days": 6}, token=owner, headers=key)
    assert first.status == again.status == 200 and again.json() == first.json()
    assert (other.status, other.code) == (422, "idempotency_key_reused")
    assert settings_of(api, owner)["invite_link_days"] == 9


def test_a_business_locked_after_the_token_was_checked_keeps_its_settings(api: Api, seeded: Runtime) -> None:
    # Given the owner's request, authenticated, and then the business locked by an operator
    caller = seeded.authenticator.authenticate(f"Bearer {api.login(DEMO_OWNER)}")
    operator = seeded.authenticator.authenticate(f"Bearer {api.login(OPERATOR)}")
    seeded.locks.set_account_lock(operator, caller.account_id, True, "chargeback")

    # When the change reaches the directory, or new custom fields do
    with pytest.raises(AccountLocked):
        seeded.business_settings.change(caller, SettingsPatch(brand_color="#000000"))
    with pytest.raises(AccountLocked):
        seeded.business_settings.replace_fields(caller, [])

    # Then nothing changed
    account = seeded.directory.accounts.get(caller.account_id)
    assert account is not None and account.brand_color is None
    assert seeded.directory.accounts.fields(caller.account_id) == []


def test_the_settings_sample_event(api: Api) -> None:
    # When the settings function gets its events/ sample with the owner's token
    reply = invoke("settings", sample_event("settings", access_token=api.login(DEMO_OWNER)))

    # Then the sample's changes are made
    assert reply["statusCode"] == 200, reply["body"]
    settings = json.loads(reply["body"])["settings"]
    assert (settings["support_email"], settings["brand_color"], settings["invite_link_days"]) == (
        "help@demo.example", "#0a7c3e", 14)
