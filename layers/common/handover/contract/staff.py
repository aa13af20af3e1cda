"""Bodies of the owner's staff routes (and the operators' view of a business's staff)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from handover.contract.common import Body, EmailAddress, Name, iso
from handover.contract.invites import InviteOutcome
from handover.data.principals import StaffRecord, StaffStatus
from handover.data.staff import PERMISSIONS, Permission
from handover.models import Model

Permissions = Annotated[list[Permission], Field(max_length=10, description="Given in any order, kept once each "
                                                "in this order: customers:read, customers:write, staff:manage "
                                                "(the owner's alone)")]


def canonical(perms: list[Permission]) -> list[str]:
    """Each permission once, in the order of PERMISSIONS."""
    return [permission for permission in PERMISSIONS if permission in perms]


class AddStaffRequest(Body):
    email: EmailAddress
    first_name: Name
    last_name: Name
    perms: Permissions


class StaffPatch(Body):
    """Any of these; those left out stay as they are (none can be removed)."""

    first_name: Name | SkipJsonSchema[None] = None
    last_name: Name | SkipJsonSchema[None] = None
    perms: Permissions | SkipJsonSchema[None] = None

    @field_validator("first_name", "last_name", "perms")
    @classmethod
    def _not_removed(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be removed")
        return value


class StaffView(Model):
    id: str
    email: str
    first_name: str
    last_name: str
    role: Literal["owner", "staff"]
    perms: list[str]
    status: StaffStatus = Field(description="`unclaimed` (no password yet), `invited` (a claim link was sent) or "
                                "`active` (they set a password through a link)")
    email_deliverable: bool = Field(description="False once email to the address bounced permanently or drew a "
                                    "complaint; invites to it answer 422 `email_undeliverable`")
    created_at: str | None = Field(description="When they joined (null for members older than the record of it)")

    @classmethod
    def of(cls, record: StaffRecord) -> StaffView:
        return cls(id=record.id, email=record.email, first_name=record.first_name, last_name=record.last_name,
                   role=record.role, perms=record.perms, status=record.status,
                   email_deliverable=not record.email_undeliverable,
                   created_at=iso(record.created_at) if record.created_at is not None else None)


class StaffEnvelope(Model):
    staff: StaffView


class StaffCreated(Model):
    """The new member and what became of the claim link emailed to them: if it could not be sent,
    `POST /v1/staff/{id}/invite` sends one."""

    staff: StaffView
    invite: InviteOutcome


class StaffPage(Model):
    items: list[StaffView]
    next_cursor: str | None
