"""Typed settings, read from the environment once per cold start."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import Field, field_validator

from handover.models import Model

# An onboarding step's key, as the platform's `onboarding.step_completed` names it.
ONBOARDING_STEP = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
DEFAULT_ONBOARDING_STEPS = ("profile", "services", "staff", "payments", "widget")
# The activity view reads the business, its months and every step by key in one BatchGetItem (100 keys).
MAX_ONBOARDING_STEPS = 50


class Settings(Model):
    directory_table: str
    links_table: str
    sessions_table: str
    history_table: str
    idempotency_table: str
    outbox_table: str
    reset_queue_url: str
    import_queue_url: str | None = None  # the import rows' queue (IMPORT_QUEUE_URL)
    invite_queue_url: str | None = None  # the bulk invites' queue (INVITE_QUEUE_URL)
    # Bulk invites sent per second at most, all jobs and workers together (EmailSendRate).
    email_send_rate: int = Field(default=10, ge=1, le=1000)
    import_upload_bucket: str | None = None  # where uploaded import files land (IMPORT_UPLOAD_BUCKET)
    token_key_id: str
    # The token key's public half, base64 DER (TOKEN_PUBLIC_KEY: read from KMS as the stack deploys);
    # without it, functions that verify tokens fetch it from KMS on their first request.
    token_public_key: str | None = None
    token_issuer: str
    token_audience: str = "handover-api"
    sender_address: str
    # The SES configuration set every email goes through (it publishes deliveries, bounces and
    # complaints to EventBridge); without one, email is sent and nothing comes back.
    mail_configuration_set: str | None = None
    portal_url: str
    access_token_seconds: int = Field(default=3600, ge=60, le=3600)
    history_retention_days: int = 180
    event_bus_name: str | None = None  # the publisher's: where Handover's own events go
    # The onboarding checklist of the operators' activity view, in order (the stack parameter
    # OnboardingSteps: comma-separated keys).
    onboarding_steps: list[str] = Field(default_factory=lambda: list(DEFAULT_ONBOARDING_STEPS))

    @field_validator("onboarding_steps", mode="before")
    @classmethod
    def _step_keys(cls, value: Any) -> Any:
        """`a, b,a` is [a, b]: trimmed, repeats dropped; a key the platform could not send is refused."""
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list | tuple):
            return value
        keys = list(dict.fromkeys(str(key).strip() for key in value if str(key).strip()))
        wrong = [key for key in keys if not re.fullmatch(ONBOARDING_STEP, key)]
        if wrong or not keys or len(keys) > MAX_ONBOARDING_STEPS:
            raise ValueError(f"onboarding steps are 1 to {MAX_ONBOARDING_STEPS} comma-separated keys matching"
                             f" {ONBOARDING_STEP}; not {wrong or value}")
        return keys

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        values = {name: environ[name.upper()] for name in cls.model_fields if name.upper() in environ}
        return cls.model_validate(values)


@cache
def current_settings() -> Settings:
    return Settings.from_env()
