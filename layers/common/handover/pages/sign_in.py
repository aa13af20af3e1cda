"""`/login` (the page a business links to from its own website) and `/forgot`.

After sign-in the browser goes to `return_to` only when the business allows its origin
(`redirects.py`), else to the business's portal, else to the account page. Forgot-password
answers the same page for every email, as the API does.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.errors import (
    AccountLocked,
    CustomerLocked,
    EmailInvalid,
    HandoverError,
    InvalidCredentials,
    NotVerified,
    RateLimited,
    TooManyAttempts,
)
from handover.identity.logins import Logins
from handover.links.resets import PasswordResets
from handover.mail.addresses import email_hint
from handover.pages.link_pages import ACCOUNT_PAGE, forbidden_form, origin, slow_down
from handover.pages.redirects import after_sign_in, allowed_return
from handover.pages.requests import PageRequest
from handover.pages.security import csrf_passes
from handover.pages.session_cookie import session_cookie
from handover.pages.views import Brand, Page, redirect, render

MAX_REFERENCE = 100
# What the login page says for each refusal (never which of email and password was wrong).
_REFUSALS: dict[type[HandoverError], tuple[int, str]] = {
    InvalidCredentials: (401, "The email or password is not right."),
    EmailInvalid: (401, "The email or password is not right."),
    NotVerified: (403, "Your account is not set up yet: use the link in your invitation email, or ask for a "
                       "new one with “Forgot your password?”."),
    CustomerLocked: (423, "This account is locked. Please contact the business."),
    AccountLocked: (423, "This account is locked. Please contact the business."),
    TooManyAttempts: (429, "Too many attempts. Please wait a few minutes and try again."),
}


class SignInPages:
    def __init__(self, *, directory: Directory, logins: Logins, resets: PasswordResets) -> None:
        self._directory = directory
        self._logins = logins
        self._resets = resets

    def login(self, request: PageRequest, refusal: tuple[int, str] | None = None) -> Response[str]:
        """GET /login?account=&return_to= (and the same form again after a refusal)."""
        account = self._account(request.value("account"))
        return_to = allowed_return(request.value("return_to"), account.return_to_origins) if account else None
        destination = return_to or (account.portal_url if account else None)
        status, error = refusal or (200, "")
        return render(Page("login", Brand.of(account), {
            "account": account.nickname if account else request.value("account")[:MAX_REFERENCE],
            "known_account": account is not None, "return_to": return_to or "", "error": error,
            "email": request.form.get("email", "")[:320],
        }, status=status, form_targets=origin(destination)), request)

    def sign_in(self, request: PageRequest) -> Response[str]:
        """POST /login: a customer of the business signs in."""
        if not csrf_passes(request):
            return render(forbidden_form(Brand()), request)
        account = self._account(request.form.get("account", ""))
        try:
            issued = self._logins.login("customer", request.form.get("account", "")[:MAX_REFERENCE],
                                        request.form.get("email", ""), request.form.get("password", ""))
        except tuple(_REFUSALS) as refused:
            return self.login(request, _REFUSALS[type(refused)])
        assert account is not None  # a login succeeded, so its business exists
        destination = after_sign_in(request.form.get("return_to"), account.return_to_origins, account.portal_url,
                                    ACCOUNT_PAGE)
        return redirect(destination, session_cookie(issued))

    def forgot(self, request: PageRequest) -> Response[str]:
        """GET /forgot?account=: the form."""
        account = self._account(request.value("account"))
        return render(Page("forgot", Brand.of(account), {
            "account": account.nickname if account else request.value("account")[:MAX_REFERENCE],
            "known_account": account is not None, "error": ""}), request)

    def send_reset(self, request: PageRequest) -> Response[str]:
        """POST /forgot: the same answer for every email (the work is queued, as the API does)."""
        if not csrf_passes(request):
            return render(forbidden_form(Brand()), request)
        reference = request.form.get("account", "")[:MAX_REFERENCE]
        email = request.form.get("email", "").strip()[:320]
        account = self._account(reference)
        brand = Brand.of(account)
        if "@" not in email:
            return render(Page("forgot", brand, {"account": reference, "known_account": account is not None,
                                                 "error": "Enter the email address of your account."}, status=422),
                          request)
        try:
            self._resets.request("customer", reference, email, request.source_ip)
        except RateLimited:
            return render(slow_down(brand), request)
        return render(Page("sent", brand, {"email_hint": email_hint(email), "account": reference}), request)

    def _account(self, reference: str) -> AccountRecord | None:
        reference = reference.strip()[:MAX_REFERENCE]
        return self._directory.accounts.find(reference) if reference else None
