"""The pages an emailed link opens: `/claim` and `/reset` show the business, the masked email and
a password form whose rules tick as the customer types; only submitting the form spends the
link (opening it never does: mail scanners open links). A dead link (expired, used, replaced)
shows a page whose button asks for a fresh one through forgot-password for the link's email."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response

from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.links import LinkKind, LinkRecord
from handover.errors import AccountLocked, CustomerLocked, LinkInvalid, PasswordPolicyViolation, RateLimited
from handover.identity import password_policy
from handover.links.claiming import Claiming
from handover.links.resets import PasswordResets
from handover.links.tokens import MAX_TOKEN_LENGTH, Links, hash_token
from handover.mail.addresses import email_hint
from handover.pages.requests import PageRequest
from handover.pages.security import csrf_passes
from handover.pages.session_cookie import session_cookie
from handover.pages.views import Brand, Page, redirect, render

ACCOUNT_PAGE = "/account"
_PAGE_OF: dict[LinkKind, str] = {"invite": "/claim", "reset": "/reset"}


def origin(url: str | None) -> tuple[str, ...]:
    """The origin of a URL a form may be redirected to, for the page's `form-action`."""
    if not url:
        return ()
    parts = urlsplit(url)
    return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme and parts.netloc else ()


def password_rules(profile: password_policy.Profile, email: str) -> tuple[list[password_policy.Rule], str]:
    """The rules of the profile, and the same as JSON for the page's script."""
    rules = password_policy.rules(profile, email)
    return rules, json.dumps([rule.as_data() for rule in rules])


def message(brand: Brand, heading: str, text: str, status: int) -> Page:
    return Page("message", brand, {"heading": heading, "text": text}, status=status)


def slow_down(brand: Brand) -> Page:
    """Forgot-password's per-source limit (never per email), as a page."""
    return message(brand, "Please wait a moment", "Too many requests came from your network. Try again in a minute.",
                   429)


def forbidden_form(brand: Brand) -> Page:
    return message(brand, "This form has expired",
                   "For your safety the form could not be accepted. Go back, reload the page and try again.", 403)


class LinkPages:
    def __init__(self, *, directory: Directory, links: Links, claiming: Claiming, resets: PasswordResets) -> None:
        self._directory = directory
        self._links = links
        self._claiming = claiming
        self._resets = resets

    def open(self, request: PageRequest) -> Response[str]:
        """GET /claim or /reset: the form, or why the link no longer works. Spends nothing."""
        token = request.query.get("token", "")
        try:
            link = self._claiming.current_link(token)
        except LinkInvalid:
            return render(self._dead(token), request)
        except CustomerLocked:
            return render(self._locked(), request)
        account = self._directory.accounts.get(link.account_id)
        return render(self._form(link, account, token), request)

    def submit(self, kind: LinkKind, request: PageRequest) -> Response[str]:
        """POST /claim or /reset: set the password; signed in, a customer goes to the business's
        portal (or the account page)."""
        token = request.form.get("token", "")
        if not csrf_passes(request):
            return render(forbidden_form(Brand()), request)
        try:
            link = self._claiming.current_link(token)
            account = self._directory.accounts.get(link.account_id)
            redeem = self._claiming.claim_account if kind == "invite" else self._claiming.reset_password
            issued = redeem(token, request.form.get("password", ""))
        except LinkInvalid:
            return render(self._dead(token), request)
        except (CustomerLocked, AccountLocked):
            return render(self._locked(), request)
        except PasswordPolicyViolation as refused:
            failed = refused.extra.get("failed_rules", [])
            return render(self._form(link, account, token, failed=failed), request)
        brand = Brand.of(account)
        if link.subject_realm != "customer":
            return render(message(brand, "Your password is set",
                                  f"You can now sign in to {brand.name}'s staff portal.", 200), request)
        portal = account.portal_url if account else None
        return redirect(portal or ACCOUNT_PAGE, session_cookie(issued))

    def renew(self, request: PageRequest) -> Response[str]:
        """POST /fresh-link: a dead link's button. Forgot-password for the link's email (whatever
        became of the link), answered as forgot-password always is."""
        if not csrf_passes(request):
            return render(forbidden_form(Brand()), request)
        token = request.form.get("token", "")
        link = self._links.store.get(hash_token(token)) if token and len(token) <= MAX_TOKEN_LENGTH else None
        if link is None:
            return render(self._dead(""), request)
        account = self._directory.accounts.get(link.account_id)
        brand = Brand.of(account)
        try:
            self._resets.request(link.subject_realm, link.account_id, link.email, request.source_ip)
        except RateLimited:
            return render(slow_down(brand), request)
        return render(Page("sent", brand, {"email_hint": email_hint(link.email), "account": brand.nickname}),
                      request)

    def _form(self, link: LinkRecord, account: AccountRecord | None, token: str,
              failed: list[str] | None = None) -> Page:
        rules, rules_json = password_rules(link.password_profile, link.email)
        labels = {rule.name: rule.label for rule in rules}
        return Page("set_password", Brand.of(account), {
            "kind": link.kind, "action": _PAGE_OF[link.kind], "token": token, "email_hint": email_hint(link.email),
            "rules": rules, "rules_json": rules_json, "failed": [labels.get(name, name) for name in failed or []],
        }, status=422 if failed else 200, form_targets=origin(account.portal_url if account else None))

    def _dead(self, token: str) -> Page:
        """The page of a link that no longer works; its button needs the link's token."""
        link = self._links.store.get(hash_token(token)) if token and len(token) <= MAX_TOKEN_LENGTH else None
        account = self._directory.accounts.get(link.account_id) if link else None
        return Page("dead_link", Brand.of(account), {"token": token if link else ""}, status=410)

    def _locked(self) -> Page:
        return message(Brand(), "This account is locked", "Please contact the business that created your account.",
                       423)
