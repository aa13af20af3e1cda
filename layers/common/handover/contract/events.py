"""Handover's own events (../shared/docs/api.md, Events): the `detail` of each, as consumers
receive it on Handover's bus (source `handover`). Every detail is `{id, occurred_at, account_id,
actor, data}`; `id` is unique per event, for consumers to drop repeats (delivery is at least
once). The JSON Schemas in events/schemas/ are generated from these models (`make schemas`)."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel

from handover.data.accounts import AccountRecord
from handover.data.principals import CustomerRecord
from handover.models import Model

SOURCE = "handover"


class EventPerson(Model):
    realm: Literal["operator", "staff", "customer", "system"]
    id: str
    email: str | None = None


class EventActor(EventPerson):
    """Who did it; under login-as, the operator, with the person they acted as."""

    on_behalf_of: EventPerson | None = None


class CustomerSummary(Model):
    id: str
    email: str
    first_name: str
    last_name: str
    status: Literal["unclaimed", "invited", "active", "locked"]

    @classmethod
    def of(cls, record: CustomerRecord) -> CustomerSummary:
        return cls(id=record.id, email=record.email, first_name=record.first_name, last_name=record.last_name,
                   status=record.status)


class AccountSummary(Model):
    id: str
    name: str
    nickname: str

    @classmethod
    def of(cls, record: AccountRecord) -> AccountSummary:
        return cls(id=record.id, name=record.name, nickname=record.nickname)


class CustomerCreatedData(Model):
    customer: CustomerSummary
    invited: bool


class CustomerUpdatedData(Model):
    customer: CustomerSummary
    changed: list[str]


class CustomerInvitedData(Model):
    customer: CustomerSummary
    expires_at: str


class CustomerData(Model):
    customer: CustomerSummary


class CustomerLockedData(Model):
    customer: CustomerSummary
    reason: str | None = None


class PasswordResetData(Model):
    customer: CustomerSummary
    method: Literal["link", "staff", "self"]


class AccountData(Model):
    account: AccountSummary


class AccountLockedData(Model):
    account: AccountSummary
    reason: str | None = None


class ImpersonationData(Model):
    operator: EventPerson
    acting_as: EventPerson
    role: str
    reason: str | None = None
    expires_at: str


class JobSummary(Model):
    """A job as it finished: its counts are final (`processed` = the sum of the outcomes)."""

    id: str
    kind: Literal["import", "invite"]
    status: Literal["done", "cancelled", "failed"]
    dry_run: bool
    total: int
    processed: int
    created: int
    updated: int
    skipped: int
    sent: int
    failed: int


class JobFinishedData(Model):
    job: JobSummary


D = TypeVar("D", bound=BaseModel)


class EventDetail(Model, Generic[D]):
    id: str
    occurred_at: str
    account_id: str
    actor: EventActor
    data: D


EVENT_TYPES: dict[str, type[BaseModel]] = {
    "customer.created": CustomerCreatedData,
    "customer.updated": CustomerUpdatedData,
    "customer.invited": CustomerInvitedData,
    "customer.claimed": CustomerData,
    "customer.locked": CustomerLockedData,
    "customer.unlocked": CustomerData,
    "customer.password_reset": PasswordResetData,
    "account.created": AccountData,
    "account.locked": AccountLockedData,
    "account.unlocked": AccountData,
    "impersonation.started": ImpersonationData,
    "job.finished": JobFinishedData,
}
