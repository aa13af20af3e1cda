"""A business's own settings, kept by its owner: the customer portal, the branding of its emails,
how long emailed links live, the password profile, the origins a login may return to, and the
custom fields of its customers' profiles.

The settings live on the business's item (read with every staff request anyway); the custom
field definitions on an item of their own, since they can be large. Either changes only while
the business exists and is not locked, and a change made under login-as is written to the
business's history, with both identities, in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from handover.accounts.history import impersonated
from handover.accounts.standing import send_links_allowed
from handover.contract.settings import CustomFieldDefinitions, SettingsEnvelope, SettingsPatch, SettingsView
from handover.customers.fields import FieldDefinition
from handover.data.accounts import AccountRecord
from handover.data.directory import Directory
from handover.data.dynamo import Dynamo, Write
from handover.data.history import HistoryStore
from handover.errors import EmailInvalid
from handover.idempotency import NO_KEY, Receipt
from handover.identity.callers import Caller
from handover.mail.addresses import normalise_email


class BusinessSettings:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, history: HistoryStore, retention_days: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._history = history
        self._retention_days = retention_days
        self._clock = clock

    def read(self, caller: Caller) -> SettingsEnvelope:
        return self._envelope(caller.business)

    def change(self, caller: Caller, patch: SettingsPatch, receipt: Receipt = NO_KEY) -> SettingsEnvelope:
        """The settings after the PATCH; a PATCH that names nothing changes nothing."""
        account = caller.business
        changes = patch.changes()
        if changes.get("support_email"):
            changes["support_email"] = _support_address(changes["support_email"])
        changed = self._envelope(account.model_copy(update=changes))
        if changes:
            made = {"set": {name: value for name, value in changes.items() if value is not None},
                    "cleared": sorted(name for name, value in changes.items() if value is None)}
            details = {what: names for what, names in made.items() if names}
            self._dynamo.transact([*receipt.writes(changed.model_dump(mode="json")),
                                   self._directory.accounts.change_settings(account.id, changes),
                                   *self._audit(caller, "settings.changed", details)])
        return changed

    def fields(self, caller: Caller) -> CustomFieldDefinitions:
        return CustomFieldDefinitions(fields=self._directory.accounts.fields(caller.account_id))

    def replace_fields(self, caller: Caller, definitions: list[FieldDefinition],
                       receipt: Receipt = NO_KEY) -> CustomFieldDefinitions:
        """The new definitions replace the old; customers' stored values stay as they are."""
        account = caller.business
        replaced = CustomFieldDefinitions(fields=definitions)
        self._dynamo.transact([
            *receipt.writes(replaced.model_dump(mode="json", exclude_none=True)),
            self._directory.accounts.open_for_changes(account.id),
            self._directory.accounts.put_fields(account.id, definitions, int(self._clock())),
            *self._audit(caller, "settings.custom_fields_replaced",
                         {"keys": [definition.key for definition in definitions]}),
        ])
        return replaced

    def _envelope(self, account: AccountRecord) -> SettingsEnvelope:
        allowed = send_links_allowed(account, self._clock())
        return SettingsEnvelope(settings=SettingsView.of(account, send_links_allowed=allowed))

    def _audit(self, caller: Caller, action: str, details: dict[str, Any]) -> list[Write]:
        return impersonated(self._history, caller, action, {"type": "account", "id": caller.account_id},
                            details=details, retention_days=self._retention_days, now=self._clock())


def _support_address(raw: str) -> str:
    """Normalised, or 422 email_invalid naming the field."""
    try:
        return normalise_email(raw)
    except EmailInvalid as error:
        raise EmailInvalid(error.detail, errors=[{"loc": ["body", "support_email"], "msg": error.detail,
                                                  "type": "email_invalid"}]) from None
