"""Bodies of the owner's routes on the business's settings and custom field definitions."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, field_validator

from handover.contract.common import Body, EmailAddress, whole_number
from handover.contract.urls import Origins, PortalUrl, WebUrl
from handover.customers.fields import MAX_FIELDS, FieldDefinition
from handover.data.accounts import AccountRecord, PasswordProfile
from handover.models import Model

COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"


InviteLinkDays = Annotated[int, Field(ge=1, le=30), BeforeValidator(whole_number)]
ResetLinkMinutes = Annotated[int, Field(ge=15, le=1440), BeforeValidator(whole_number)]
NOT_CLEARABLE = ("invite_link_days", "reset_link_minutes", "password_profile", "return_to_origins")


def _color(value: str) -> str:
    if not re.fullmatch(COLOR_PATTERN, value):
        raise ValueError("must be a colour written #rrggbb (hexadecimal)")
    return value.lower()


BrandColor = Annotated[str, Field(json_schema_extra={"pattern": COLOR_PATTERN, "description": "#rrggbb; stored "
                                                     "lower-case"}), AfterValidator(_color)]


def _patch_schema(schema: dict[str, Any]) -> None:
    """A setting left out keeps its value, so none has a default; and those that cannot be
    cleared are not nullable."""
    for name, setting in schema.get("properties", {}).items():
        setting.pop("default", None)
        if name in NOT_CLEARABLE:
            (kept,) = [branch for branch in setting.pop("anyOf") if branch != {"type": "null"}]
            setting.update(kept)


class SettingsPatch(Body):
    """The settings named change; those left out stay. A null clears an optional setting (a URL,
    the support address, the brand colour); the others cannot be cleared."""

    model_config = ConfigDict(json_schema_extra=_patch_schema)

    portal_url: PortalUrl | None = None
    support_email: EmailAddress | None = None
    logo_url: WebUrl | None = None
    brand_color: BrandColor | None = None
    walkthrough_video_url: WebUrl | None = None
    invite_link_days: InviteLinkDays | None = None
    reset_link_minutes: ResetLinkMinutes | None = None
    password_profile: PasswordProfile | None = None
    return_to_origins: Origins | None = None

    @field_validator(*NOT_CLEARABLE, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be cleared (leave it out to keep its value)")
        return value

    def changes(self) -> dict[str, Any]:
        """What the PATCH named, with None for what it clears."""
        return self.model_dump(exclude_unset=True)


class SettingsView(Model):
    name: str
    nickname: str
    send_links_allowed: bool
    portal_url: str | None
    support_email: str | None
    logo_url: str | None
    brand_color: str | None
    walkthrough_video_url: str | None
    invite_link_days: int
    reset_link_minutes: int
    password_profile: Literal["classic", "nist"]
    return_to_origins: list[str]

    @classmethod
    def of(cls, account: AccountRecord, *, send_links_allowed: bool) -> SettingsView:
        return cls(name=account.name, nickname=account.nickname, send_links_allowed=send_links_allowed,
                   portal_url=account.portal_url, support_email=account.support_email, logo_url=account.logo_url,
                   brand_color=account.brand_color, walkthrough_video_url=account.walkthrough_video_url,
                   invite_link_days=account.invite_link_days, reset_link_minutes=account.reset_link_minutes,
                   password_profile=account.password_profile, return_to_origins=account.return_to_origins)


class SettingsEnvelope(Model):
    settings: SettingsView


class CustomFieldDefinitions(Body):
    """Every custom field of the business's customer profiles, in the order they are shown."""

    fields: Annotated[list[FieldDefinition], Field(max_length=MAX_FIELDS)]

    @field_validator("fields")
    @classmethod
    def _keys_distinct(cls, fields: list[FieldDefinition]) -> list[FieldDefinition]:
        keys = [field.key for field in fields]
        if repeated := sorted({key for key in keys if keys.count(key) > 1}):
            raise ValueError(f"each key may be used once: {', '.join(repeated)} is used more than once")
        return fields
