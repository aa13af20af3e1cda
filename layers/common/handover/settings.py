"""Typed settings, read from the environment once per cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from pydantic import BaseModel, Field


class Settings(BaseModel):
    directory_table: str
    links_table: str
    history_table: str
    idempotency_table: str
    outbox_table: str
    reset_queue_url: str
    token_key_id: str
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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        values = {name: environ[name.upper()] for name in cls.model_fields if name.upper() in environ}
        return cls.model_validate(values)


@cache
def current_settings() -> Settings:
    return Settings.from_env()
