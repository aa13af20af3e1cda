"""`/account`: the signed-in customer's profile (the phone and the custom fields the business
lets them edit, editable), their bookings, a change-password form and sign-out. The session is
the page flow's cookie (`session_cookie.py`); without a live one the browser goes to `/login`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from pydantic import ValidationError

from handover.contract.customers import OwnProfileUpdate
from handover.customers.editing import ProfileEditor
from handover.customers.fields import FieldDefinition
from handover.customers.profiles import Customers
from handover.customers.self_service import SelfService
from handover.data.directory import Directory
from handover.data.principals import CustomerRecord
from handover.errors import (
    CurrentPasswordInvalid,
    CustomerLocked,
    CustomFieldsInvalid,
    FieldNotEditable,
    PasswordPolicyViolation,
    TooManyAttempts,
    Unauthenticated,
)
from handover.identity.callers import Authenticator, Caller
from handover.identity.refresh import SessionBook
from handover.pages.link_pages import forbidden_form, password_rules
from handover.pages.requests import PageRequest
from handover.pages.security import csrf_passes
from handover.pages.session_cookie import ended_session, session_cookie, session_token
from handover.pages.views import Brand, Page, redirect, render

SAVED = {"profile": "Your profile is saved.", "password": "Your password is changed. Other sessions are signed out."}


def submitted_fields(definitions: list[FieldDefinition], form: dict[str, str]) -> dict[str, Any]:
    """The editable custom fields as the form sent them, typed as their definitions say (an empty
    field removes the value; a number that is no number is left for the check to refuse)."""
    values: dict[str, Any] = {}
    for definition in definitions:
        if not definition.customer_editable:
            continue
        raw = form.get(f"field_{definition.key}", "").strip()
        if definition.type == "boolean":
            values[definition.key] = raw == "on"
        elif not raw:
            values[definition.key] = None
        elif definition.type == "number":
            try:
                values[definition.key] = float(raw) if any(c in raw for c in ".eE") else int(raw)
            except ValueError:
                values[definition.key] = raw
        else:
            values[definition.key] = raw
    return values


class AccountPage:
    def __init__(self, *, directory: Directory, authenticator: Authenticator, customers: Customers,
                 editor: ProfileEditor, self_service: SelfService, session_book: SessionBook) -> None:
        self._directory = directory
        self._authenticator = authenticator
        self._customers = customers
        self._editor = editor
        self._self_service = self_service
        self._session_book = session_book

    def show(self, request: PageRequest, *, status: int = 200, errors: list[str] | None = None) -> Response[str]:
        caller = self._caller(request)
        if caller is None:
            return redirect("/login", ended_session())
        return render(self._page(caller, request, status, errors or []), request)

    def update_profile(self, request: PageRequest) -> Response[str]:
        caller = self._caller(request)
        if caller is None or not csrf_passes(request):
            return self._refused(caller)
        definitions = self._directory.accounts.fields(caller.account_id)
        try:
            update = OwnProfileUpdate(phone=request.form.get("phone", "").strip() or None,
                                      custom_fields=submitted_fields(definitions, request.form) or None)
            self._editor.own_update(caller, update)
        except ValidationError as invalid:
            return self.show(request, status=422, errors=[str(issue["msg"]) for issue in invalid.errors()])
        except (CustomFieldsInvalid, FieldNotEditable) as refused:
            issues = refused.extra.get("errors", [])
            return self.show(request, status=refused.status,
                             errors=[f"{issue['loc'][-1]}: {issue['msg']}" for issue in issues] or [refused.detail])
        return redirect("/account?saved=profile")

    def change_password(self, request: PageRequest) -> Response[str]:
        """Every other session ends; this browser keeps signed in with the fresh token."""
        caller = self._caller(request)
        if caller is None or not csrf_passes(request):
            return self._refused(caller)
        try:
            issued = self._self_service.change_password(caller, request.form.get("current_password", ""),
                                                        request.form.get("new_password", ""))
        except CurrentPasswordInvalid:
            return self.show(request, status=403, errors=["Your current password is not right."])
        except PasswordPolicyViolation as refused:
            account = self._directory.accounts.get(caller.account_id)
            profile = account.password_profile if account else "classic"
            rules = {rule.name: rule.label for rule in password_rules(profile, caller.principal.email)[0]}
            return self.show(request, status=422, errors=[f"New password: {rules.get(name, name)}"
                                                          for name in refused.extra.get("failed_rules", [])])
        except (TooManyAttempts, CustomerLocked) as refused:
            return self.show(request, status=refused.status, errors=[refused.detail])
        return redirect("/account?saved=password", session_cookie(issued))

    def sign_out(self, request: PageRequest) -> Response[str]:
        """The session ends for the service too (as `POST /v1/auth/logout` ends it), not only in this browser."""
        caller = self._caller(request)
        if caller is not None and not csrf_passes(request):
            return self._refused(caller)
        if caller is not None:
            self._session_book.log_out(caller, everywhere=False)
        account = self._directory.accounts.get(caller.account_id) if caller else None
        return redirect(f"/login?account={account.nickname}" if account else "/login", ended_session())

    def _caller(self, request: PageRequest) -> Caller | None:
        token = session_token(request.cookies)
        if not token:
            return None
        try:
            caller = self._authenticator.authenticate(f"Bearer {token}")
        except Unauthenticated:
            return None
        return caller if caller.realm == "customer" else None

    def _refused(self, caller: Caller | None) -> Response[str]:
        if caller is None:
            return redirect("/login", ended_session())
        return render(forbidden_form(Brand()), PageRequest("GET"))

    def _page(self, caller: Caller, request: PageRequest, status: int, errors: list[str]) -> Page:
        customer, bookings = self._customers.own_profile(caller)
        assert isinstance(customer, CustomerRecord)
        account = self._directory.accounts.get(caller.account_id)
        profile = account.password_profile if account else "classic"
        rules, rules_json = password_rules(profile, customer.email)
        definitions = [field for field in self._directory.accounts.fields(caller.account_id)
                       if field.customer_editable or field.key in customer.custom_fields]
        return Page("account", Brand.of(account), {
            "customer": customer, "bookings": bookings, "fields": definitions, "rules": rules,
            "rules_json": rules_json, "errors": errors, "saved": SAVED.get(request.query.get("saved", ""), ""),
        }, status=status)
