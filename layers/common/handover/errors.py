"""Typed domain errors. Each carries its HTTP status and stable `code`; `web` turns them into
problem+json in one place."""

from __future__ import annotations

from typing import Any, ClassVar


class HandoverError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}


class MalformedRequest(HandoverError):
    status, code, title = 400, "malformed_request", "The request body is not valid JSON"


class CsvInvalid(HandoverError):
    status, code, title = 400, "csv_invalid", "The file is not a UTF-8 CSV with a header row naming an email column"


class Unauthenticated(HandoverError):
    status, code, title = 401, "unauthenticated", "A valid access token is required"


class InvalidCredentials(HandoverError):
    status, code, title = 401, "invalid_credentials", "The email or password is wrong"


class RefreshInvalid(HandoverError):
    """One body for every refresh that fails: unknown, expired, spent or revoked alike."""

    status, code, title = 401, "refresh_invalid", "The refresh token is invalid, expired or revoked"


class Forbidden(HandoverError):
    status, code, title = 403, "forbidden", "You may not do this"


class SecureAccount(HandoverError):
    status, code, title = 403, "secure_account", "This business is secure: it needs an operator with the Secure role"


class ImpersonationForbidden(HandoverError):
    status, code, title = 403, "impersonation_forbidden", "This cannot be done while logged in as someone else"


class FieldNotEditable(HandoverError):
    status, code, title = 403, "field_not_editable", "Some of these fields cannot be changed here"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        """`errors`: one `{loc, msg, type}` per field the caller may not change."""
        super().__init__("You may not change: " + ", ".join(str(error["loc"][-1]) for error in errors),
                         errors=errors)


class CurrentPasswordInvalid(HandoverError):
    status, code, title = 403, "current_password_invalid", "The current password is wrong"


class NotVerified(HandoverError):
    status, code, title = 403, "not_verified", "The email address has not been verified yet"


class NotFound(HandoverError):
    status, code, title = 404, "not_found", "Not found"


class EmailTaken(HandoverError):
    status, code, title = 409, "email_taken", "A customer with this email already exists"


class AlreadyRecorded(HandoverError):
    """Something kept before (the same booking, cancellation, payment, site or step; a setup
    completed already): nothing to do."""

    status, code, title = 409, "already_recorded", "This was recorded already"


class NicknameTaken(HandoverError):
    status, code, title = 409, "nickname_taken", "Another business already uses this nickname"


class StaffLimitReached(HandoverError):
    status, code, title = 409, "staff_limit_reached", "Every staff slot of the business is taken"


class OwnerRequired(HandoverError):
    status, code, title = 409, "owner_required", "The business's owner cannot be removed or lose a permission"


class JobFinished(HandoverError):
    status, code, title = 409, "job_finished", "This job has finished already"


class JobStopped(HandoverError):
    """A job's rows are no longer processed: it was cancelled, failed or is done."""

    status, code, title = 409, "job_finished", "This job has finished already"


class RowDone(HandoverError):
    """A job's row was processed before (a retried batch): nothing to do."""

    status, code, title = 409, "row_done", "This row was processed already"


class AlreadyClaimed(HandoverError):
    status, code, title = 409, "already_claimed", "The customer has already claimed the account"


class LinkInvalid(HandoverError):
    status, code, title = 410, "link_invalid", "This link has expired, was already used or was replaced"


class PayloadTooLarge(HandoverError):
    status, code, title = 413, "payload_too_large", "The request body is too large"


class UnsupportedMediaType(HandoverError):
    status, code, title = 415, "unsupported_media_type", "The request body must be JSON"


class PasswordPolicyViolation(HandoverError):
    status, code, title = 422, "password_policy", "The password does not meet the policy"

    def __init__(self, failed_rules: list[str]) -> None:
        super().__init__(f"The password breaks: {', '.join(failed_rules)}", failed_rules=failed_rules)


class CustomFieldsInvalid(HandoverError):
    """A validation error like any other, found by the business's custom-field definitions
    rather than by the request's schema."""

    status, code, title = 422, "validation_error", "The request is not valid"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        """`errors`: one `{loc, msg, type}` per problem."""
        super().__init__("Some custom fields are missing or invalid", errors=errors)


class BodyInvalid(HandoverError):
    """A body checked by a model outside the resolver's validation (an import's JSON rows)."""

    status, code, title = 422, "validation_error", "The request is not valid"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        """`errors`: one `{loc, msg, type}` per problem."""
        super().__init__("Some fields are missing or invalid", errors=errors)


class PermissionNotGrantable(HandoverError):
    """A validation error found by whom the permissions are for, not by the request's schema."""

    status, code, title = 422, "validation_error", "The request is not valid"

    def __init__(self, permission: str) -> None:
        detail = f"Only the business's owner holds `{permission}`"
        super().__init__(detail, errors=[{"loc": ["body", "perms"], "msg": detail, "type": "permission_not_grantable"}])


class EmailInvalid(HandoverError):
    status, code, title = 422, "email_invalid", "The email address is not valid"


class EmailUndeliverable(HandoverError):
    status, code, title = 422, "email_undeliverable", "Email to this address bounced; correct it first"


class IdempotencyKeyReused(HandoverError):
    status, code, title = 422, "idempotency_key_reused", "This Idempotency-Key was used with another body"


class FiltersNotCombinable(HandoverError):
    status, code, title = 422, "filters_not_combinable", "Use at most one of q, tag and mine (each with status)"


class UnknownOperators(HandoverError):
    status, code, title = 422, "validation_error", "The request is not valid"

    def __init__(self, operator_ids: list[str]) -> None:
        super().__init__("No such operator: " + ", ".join(operator_ids),
                         errors=[{"loc": ["body", "operators", operator], "msg": "No such operator",
                                  "type": "unknown_operator"} for operator in operator_ids])


class CursorInvalid(HandoverError):
    status, code, title = 422, "cursor_invalid", "The cursor is not one this list gave out"


class AccountLocked(HandoverError):
    status, code, title = 423, "account_locked", "This business account is locked"


class CustomerLocked(HandoverError):
    status, code, title = 423, "customer_locked", "This customer account is locked"


class TooManyAttempts(HandoverError):
    status, code, title = 429, "too_many_attempts", "Too many failed logins; try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Try again in {retry_after} seconds")
        self.headers["Retry-After"] = str(retry_after)


class RateLimited(HandoverError):
    status, code, title = 429, "rate_limited", "Too many requests; slow down"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Try again in {retry_after} seconds")
        self.headers["Retry-After"] = str(retry_after)


class DependencyUnavailable(HandoverError):
    """A dependency failed; the request changed nothing that a retry would not redo."""

    status, code, title = 503, "dependency_unavailable", "A dependency failed; please retry"


class StorageUnavailable(DependencyUnavailable):
    code, title = "storage_unavailable", "The database is unavailable; please retry"


class ChangedMeanwhile(StorageUnavailable):
    """Something changed between a read and the conditional write built from it; the action
    reads again and retries (and, failing that, answers 503: safe to retry)."""

    title = "The record changed meanwhile; please retry"


class SigningUnavailable(DependencyUnavailable):
    code, title = "signing_unavailable", "Token signing is unavailable; please retry"


class SendRateBusy(DependencyUnavailable):
    """The bulk send rate stayed full longer than a worker waits: the batch is retried later."""

    code, title = "send_rate_busy", "The email send rate is used up; please retry"


class EmailUnavailable(DependencyUnavailable):
    code, title = "email_unavailable", "The email could not be sent; please retry"
