"""The hosted pages' services, each built on first use from the function's runtime (a page
function's cold start pays only for the pages it serves)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handover.pages.account_page import AccountPage
    from handover.pages.link_pages import LinkPages
    from handover.pages.sign_in import SignInPages
    from handover.runtime import Runtime


class HostedPages:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def before_snapshot(self) -> None:
        """Builds what each page's first request would (SnapStart): every page's parts and the
        compiled templates."""
        from handover.pages.views import compile_templates
        _ = (self.links, self.sign_in, self.account)
        compile_templates()

    @cached_property
    def links(self) -> LinkPages:
        from handover.pages.link_pages import LinkPages
        rt = self._runtime
        return LinkPages(directory=rt.directory, links=rt.links, claiming=rt.claiming, resets=rt.resets)

    @cached_property
    def sign_in(self) -> SignInPages:
        from handover.pages.sign_in import SignInPages
        rt = self._runtime
        return SignInPages(directory=rt.directory, logins=rt.logins, resets=rt.resets)

    @cached_property
    def account(self) -> AccountPage:
        from handover.pages.account_page import AccountPage
        rt = self._runtime
        return AccountPage(directory=rt.directory, authenticator=rt.authenticator, customers=rt.customers,
                           editor=rt.profile_editor, self_service=rt.self_service, session_book=rt.session_book)
