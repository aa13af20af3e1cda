"""The import worker: applies one queued batch of an import's rows (jobs/imports.py).

Each row is checked as POST /v1/customers checks a body (the same request model, the business's
custom fields, the same error codes), then created through the single create's own writes
(`Customers.creation_writes`) or skipped when its email has a customer already. No email is sent.

A row's outcome is one transaction with its marker and counter (jobs/rows.py: a retried batch
applies no row twice, a cancel stops the rows after it), and its customer or its errors. A dry run
writes the same markers and counts, and nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from handover.contract.customers import CreateCustomerRequest
from handover.customers.editing import ProfileEditor
from handover.customers.fields import FieldDefinition
from handover.customers.profiles import Customers
from handover.customers.revisions import settle
from handover.data.directory import Directory
from handover.data.jobs import JobRecord, RowError
from handover.data.principals import CustomerRecord
from handover.errors import ChangedMeanwhile, CustomFieldsInvalid, EmailInvalid, EmailTaken
from handover.jobs.jobs import Jobs
from handover.jobs.rows import JobRows, job_actor
from handover.mail.addresses import normalise_email


class ImportRows(JobRows):
    def __init__(self, *, directory: Directory, customers: Customers, editor: ProfileEditor, jobs: Jobs,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(jobs=jobs, clock=clock)
        self._directory = directory
        self._customers = customers
        self._editor = editor

    def _row(self, job: JobRecord, entry: dict[str, Any]) -> None:
        row = entry["row"]
        if "duplicate_of" in entry:
            return self._failed(job, [RowError(row=row, column="email", code="duplicate_in_file",
                                               detail=f"This email is on row {entry['duplicate_of']} already")])
        if entry.get("too_large"):
            return self._failed(job, [RowError(row=row, code="row_too_large", detail="The row is too large")])
        data = dict(entry["data"])
        from_csv = bool(data.pop("csv", False))
        if "invite" in data:
            return self._failed(job, [RowError(row=row, column="invite", code="validation_error",
                                               detail="Imports send no email: leave `invite` out")])
        try:
            request = CreateCustomerRequest.model_validate(data)
            email = normalise_email(request.email)
        except ValidationError as error:
            return self._failed(job, [RowError(row=row, column=_column(issue["loc"]), code="validation_error",
                                               detail=str(issue["msg"])) for issue in error.errors()])
        except EmailInvalid as error:
            return self._failed(job, [RowError(row=row, column="email", code=error.code, detail=error.detail)])
        definitions, ledger = self._directory.customer_rules(job.account_id, email)
        if from_csv and request.custom_fields:
            request = request.model_copy(update={"custom_fields": _typed(definitions, request.custom_fields)})
        if ledger.holder:
            return self._existing(job, row, ledger.holder, request)
        try:
            customer = Customers.new_customer(job.account_id, email, request, definitions, ledger,
                                              int(self._clock()))
        except CustomFieldsInvalid as error:
            return self._failed(job, _field_errors(row, error))
        if job.dry_run:
            return self._counted(job, row, "created")
        _, writes = self._customers.creation_writes(customer, ledger, job_actor(job))
        try:
            return self._counted(job, row, "created", writes)
        except EmailTaken:  # a customer took the email since it was read
            return self._existing(job, row, None, request)

    def _existing(self, job: JobRecord, row: int, customer_id: str | None, request: CreateCustomerRequest) -> None:
        """An email that has a customer: skipped, or (`on_existing=update`) the row's fields set
        through the update path (never the status, password or verification: the email stays)."""
        if job.on_existing == "skip":
            return self._counted(job, row, "skipped")
        given = request.model_dump(include=request.model_fields_set & {"first_name", "last_name", "phone",
                                                                       "custom_fields"})

        def update(customer: CustomerRecord) -> None:
            try:
                _, writes = self._editor.change_writes(customer, given, job_actor(job))
            except CustomFieldsInvalid as error:
                return self._failed(job, _field_errors(row, error))
            if not writes:  # nothing the row names differs
                return self._counted(job, row, "skipped")
            return self._counted(job, row, "updated", [] if job.dry_run else writes)

        def read() -> CustomerRecord:
            holder = customer_id or self._directory.bookings.ledger(job.account_id,
                                                                     normalise_email(request.email)).holder
            found = self._directory.customers.get(job.account_id, holder) if holder else None
            if found is None:
                raise ChangedMeanwhile()  # released meanwhile (its email changed): read the row again
            return found

        return settle(update, read=read)

def _field_errors(row: int, error: CustomFieldsInvalid) -> list[RowError]:
    return [RowError(row=row, column=str(issue["loc"][-1]), code=error.code, detail=str(issue["msg"]))
            for issue in error.extra["errors"]]


def _column(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """The CSV column (or JSON field) an issue is about: a custom field's own key."""
    parts = [str(part) for part in loc]
    if not parts:
        return None
    return parts[1] if parts[0] == "custom_fields" and len(parts) > 1 else parts[0]


def _typed(definitions: list[FieldDefinition], values: dict[str, Any]) -> dict[str, Any]:
    """A CSV's cells are text: a number or boolean field's cell is read as one (what cannot be is
    left as text, and refused by the check as a JSON body's would be)."""
    types = {definition.key: definition.type for definition in definitions}
    typed: dict[str, Any] = {}
    for key, value in values.items():
        typed[key] = value
        if types.get(key) == "boolean" and value.lower() in ("true", "false"):
            typed[key] = value.lower() == "true"
        elif types.get(key) == "number":
            try:
                number = float(value)
                typed[key] = int(number) if number.is_integer() and "." not in value and "e" not in value.lower() \
                    else number
            except ValueError:
                pass
    return typed
