"""What SES says became of an email: recorded on the link the email carried, on the customer's
`last_link` while that link is still their last, and, for a permanent bounce or a complaint, on
everyone using the address, in every business (`email_undeliverable`, until their email changes).

SES publishes at least once and in no particular order, so every write is decided by a condition
and moves only forwards (sent, delivered, bounced, complained): the same event twice, or a late
`delivered` after a `bounced`, changes nothing, and a retry after a failure part-way through
finishes the job without redoing any of it. The email's tags (`mail/tags.py`) name the link,
the business and the person, so nothing is looked up to find them.
"""

from __future__ import annotations

from dataclasses import dataclass

from handover.data.directory import Directory
from handover.data.dynamo import Dynamo
from handover.data.links import Delivery, LinkStore
from handover.errors import EmailInvalid
from handover.mail.addresses import normalise_email
from handover.mail.ses_events import SesMailEvent
from handover.mail.tags import MailTags

CONFIGURATION_SET_TAG = "ses:configuration-set"


@dataclass(frozen=True)
class DeliveryReport:
    """What one event changed."""

    delivery: Delivery
    ours: bool = True
    link_changed: bool = False
    last_link_changed: bool = False
    marked_undeliverable: int = 0


class Deliverability:
    def __init__(self, *, dynamo: Dynamo, directory: Directory, links: LinkStore,
                 configuration_set: str | None = None) -> None:
        self._dynamo = dynamo
        self._directory = directory
        self._links = links
        self._configuration_set = configuration_set

    def record(self, event: SesMailEvent) -> DeliveryReport:
        """Apply one SES event. A failed dependency raises (the event is delivered again and the
        conditions skip whatever was already done); an email that was not one of Handover's
        links changes nothing."""
        tags = self._ours(event)
        if tags is None:
            return DeliveryReport(event.delivery, ours=False)
        link_changed = self._dynamo.applied(self._links.record_delivery(tags.token_hash, event.delivery))
        last_link_changed = tags.realm == "customer" and self._dynamo.applied(
            self._directory.customers.record_delivery(tags.account_id, tags.subject_id, tags.token_hash,
                                                      event.delivery))
        marked = sum(self._mark_undeliverable(address) for address in event.undeliverable_addresses)
        return DeliveryReport(event.delivery, link_changed=link_changed, last_link_changed=last_link_changed,
                              marked_undeliverable=marked)

    def _ours(self, event: SesMailEvent) -> MailTags | None:
        """The link the email carried, when it was Handover's: tagged as Handover tags its links
        and, when SES names the configuration set, sent through this stack's (the rule sees every
        SES event of the account and region)."""
        tags = event.detail.mail.tags
        configuration_set = tags.get(CONFIGURATION_SET_TAG)
        if configuration_set and self._configuration_set and self._configuration_set not in configuration_set:
            return None
        return MailTags.found_in(tags)

    def _mark_undeliverable(self, address: str) -> int:
        """Mark everyone still using the address; how many were not marked yet."""
        try:
            email = normalise_email(address)
        except EmailInvalid:
            return 0
        addresses = self._directory.addresses
        return sum(self._dynamo.applied(addresses.mark_undeliverable(holder, email))
                   for holder in addresses.holders(email))
