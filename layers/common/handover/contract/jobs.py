"""Bodies of the job routes and of the inline import (../shared/docs/api.md, jobs and imports)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, model_validator
from pydantic.json_schema import SkipJsonSchema

from handover.contract.common import Body, iso
from handover.data.jobs import JobRecord, RowError
from handover.models import Model

MAX_ROWS = 100_000


class ImportRequest(Body):
    """The JSON form of an import; each row is checked as `POST /v1/customers` checks a body."""

    rows: list[dict[str, Any]] = Field(max_length=MAX_ROWS, description="Rows of `{email, first_name, last_name, "
                                       "phone?, custom_fields?}`, checked one by one (errors by row)")


MAX_INVITE_IDS = 1000


class InvitesRequest(Body):
    """Bulk invites: the customers named, or every customer with a status (exactly one of them)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [{"required": ["ids"]},
                                                                           {"required": ["status"]}]})

    ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]],
                   Field(min_length=1, max_length=MAX_INVITE_IDS, json_schema_extra={"uniqueItems": True})] \
        | SkipJsonSchema[None] = Field(default=None, description="Distinct customer ids (an unknown one counts as "
                                                                 "failed, `not_found`)")
    status: Literal["unclaimed", "invited"] | SkipJsonSchema[None] = Field(
        default=None, description="Every customer with this status (`invited`: resend)")

    @model_validator(mode="after")
    def _exactly_one(self) -> InvitesRequest:
        if any(getattr(self, name) is None for name in self.model_fields_set):
            raise ValueError("ids and status may not be null; leave out the one not given")
        if (self.ids is None) == (self.status is None):
            raise ValueError("give exactly one of ids and status")
        if self.ids is not None and len(set(self.ids)) != len(self.ids):
            raise ValueError("ids must be distinct")
        return self


class JobPerson(Model):
    realm: Literal["staff", "operator"]
    id: str
    email: str | None = None


class JobView(Model):
    id: str
    kind: Literal["import", "invite"]
    status: Literal["queued", "running", "done", "cancelled", "failed"]
    dry_run: bool
    on_existing: Literal["skip", "update"]
    total: int
    processed: int = Field(description="Always `created + updated + skipped + sent + failed`")
    created: int
    updated: int
    skipped: int
    sent: int
    failed: int
    created_by: JobPerson
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None = Field(description="Why the whole job failed, or null")

    @classmethod
    def of(cls, record: JobRecord) -> JobView:
        return cls(**record.model_dump(include={"id", "kind", "status", "dry_run", "on_existing", "total",
                                                "processed", "created", "updated", "skipped", "sent", "failed",
                                                "error"}),
                   created_by=JobPerson(**record.created_by.model_dump(include={"realm", "id", "email"})),
                   created_at=iso(record.created_at),
                   started_at=iso(record.started_at) if record.started_at is not None else None,
                   finished_at=iso(record.finished_at) if record.finished_at is not None else None)


class JobEnvelope(Model):
    job: JobView


class JobPage(Model):
    items: list[JobView]
    next_cursor: str | None


class RowErrorView(Model):
    row: int = Field(description="The data row's number: the header is row 1, the first data row 2")
    column: str | None = None
    code: str
    detail: str

    @classmethod
    def of(cls, record: RowError) -> RowErrorView:
        return cls(**record.model_dump())


class RowErrorPage(Model):
    items: list[RowErrorView]
    next_cursor: str | None


class UploadRequest(Body):
    """An import from an uploaded file: how its rows are to be applied."""

    dry_run: StrictBool = Field(default=False,
                                description="Check every row and count what would happen, writing nothing")
    on_existing: Literal["skip", "update"] = Field(default="skip", description="What a row whose email exists does")


class UploadView(Model):
    url: str = Field(description="PUT the CSV (UTF-8, up to 100 MB) here, e.g. `curl -T file.csv <url>`")
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str] = Field(description="Headers the PUT must carry (none today)")
    expires_at: str = Field(description="The URL works until then (15 minutes)")


class UploadEnvelope(Model):
    job: JobView
    upload: UploadView
