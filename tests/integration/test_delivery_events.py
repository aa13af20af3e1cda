"""SES delivery, bounce and complaint events, as EventBridge hands them to delivery_events:
recorded on the link the email carried and on the customer's last_link, only ever forwards,
whatever the order and however often they come. Malformed events and other senders' mail are
dropped; a failing dependency raises, so the event comes again."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError
from handover.errors import StorageUnavailable
from handover.links.tokens import hash_token
from handover.runtime import Runtime

from tests.conftest import (
    DEMO_OWNER,
    Api,
    SentMail,
    deliver_ses_event,
    last_link_token,
    ses_event,
)

EMAIL = "jane.doe@example.com"


def invited(api: Api, mail: list[SentMail], email: str = EMAIL) -> tuple[str, dict[str, Any], SentMail]:
    """The owner's token, a customer and the invite emailed to them."""
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, email)
    assert api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202
    return owner, customer, mail[-1]


def link_delivery(rt: Runtime, sent: SentMail) -> str:
    link = rt.links.store.get(sent.tags["link"])
    assert link is not None
    return link.delivery


def last_delivery(api: Api, owner: str, customer: dict[str, Any]) -> str:
    delivery: str = api.customer(owner, customer["id"])["last_link"]["delivery"]
    return delivery


def test_links_go_out_through_the_configuration_set_tagged_with_what_they_carry(
        api: Api, mail: list[SentMail], aws: dict[str, str]) -> None:
    # When a customer is invited, then sent a reset link by staff
    owner, customer, invite = invited(api, mail)
    invite_token = last_link_token(EMAIL)
    assert api.call("POST", f"/v1/customers/{customer['id']}/password-reset", {}, token=owner).status == 202
    reset = mail[-1]

    # Then both went through the stack's configuration set, tagged with their link, business, kind and person
    assert invite.configuration_set == reset.configuration_set == aws["MAIL_CONFIGURATION_SET"]
    person = {"business": customer["account_id"], "realm": "customer", "subject": customer["id"]}
    assert invite.tags == {"link": hash_token(invite_token), "kind": "invite", **person}
    assert reset.tags == {"link": hash_token(last_link_token(EMAIL)), "kind": "reset", **person}


@pytest.mark.parametrize(("kind", "bounce_type", "recorded"), [
    ("delivery", "Permanent", "delivered"),
    ("bounce", "Permanent", "bounced"),
    ("bounce", "Transient", "bounced"),
    ("bounce", "Undetermined", "bounced"),
    ("complaint", "Permanent", "complained"),
])
def test_an_event_is_recorded_on_the_link_and_the_last_link(
        api: Api, seeded: Runtime, mail: list[SentMail], kind: Any, bounce_type: str, recorded: str) -> None:
    # Given an invited customer
    owner, customer, sent = invited(api, mail)

    # When SES reports on the invite
    reply = deliver_ses_event(ses_event(kind, sent, bounce_type=bounce_type))

    # Then the link and the customer's last_link say so
    assert reply["delivery"] == recorded and reply["link_changed"] and reply["last_link_changed"]
    assert link_delivery(seeded, sent) == recorded
    assert last_delivery(api, owner, customer) == recorded


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_a_bounce_that_is_not_permanent_leaves_the_address_deliverable(
        api: Api, mail: list[SentMail], bounce_type: str) -> None:
    # Given an invite that bounced, but not for good
    owner, customer, sent = invited(api, mail)
    reply = deliver_ses_event(ses_event("bounce", sent, bounce_type=bounce_type))

    # When staff invite again
    again = api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner)

    # Then nobody was marked, and the address still gets email
    assert reply["marked_undeliverable"] == 0
    assert api.customer(owner, customer["id"])["email_deliverable"] is True
    assert again.status == 202 and mail[-1].to == EMAIL


def test_the_same_event_twice_changes_nothing_the_second_time(
        api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # Given a permanent bounce of an invite, already recorded
    owner, customer, sent = invited(api, mail)
    event = ses_event("bounce", sent)
    first = deliver_ses_event(event)

    # When EventBridge delivers it again
    second = deliver_ses_event(copy.deepcopy(event))

    # Then the first changed the link, the last link and the address; the second changed nothing
    assert (first["link_changed"], first["last_link_changed"], first["marked_undeliverable"]) == (True, True, 1)
    assert (second["link_changed"], second["last_link_changed"], second["marked_undeliverable"]) == (False, False, 0)
    assert link_delivery(seeded, sent) == last_delivery(api, owner, customer) == "bounced"


def test_a_late_delivery_after_a_bounce_changes_nothing_and_a_complaint_follows_a_delivery(
        api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # Given one invite that bounced and another (to someone else) that was delivered
    owner, bounced_customer, bounced = invited(api, mail)
    deliver_ses_event(ses_event("bounce", bounced, bounce_type="Transient"))
    _, complaining_customer, delivered = invited(api, mail, "kim@example.com")
    deliver_ses_event(ses_event("delivery", delivered))

    # When a delivery of the bounced one arrives late, and a complaint about the delivered one
    late = deliver_ses_event(ses_event("delivery", bounced))
    complaint = deliver_ses_event(ses_event("complaint", delivered))

    # Then the bounce stands, and the complaint moves the delivered one on
    assert (late["link_changed"], late["last_link_changed"]) == (False, False)
    assert link_delivery(seeded, bounced) == last_delivery(api, owner, bounced_customer) == "bounced"
    assert complaint["link_changed"] and complaint["last_link_changed"]
    assert link_delivery(seeded, delivered) == last_delivery(api, owner, complaining_customer) == "complained"


def test_an_event_for_an_older_link_is_recorded_on_that_link_only(
        api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # Given a customer invited twice (the second invite revoked the first)
    owner, customer, older = invited(api, mail)
    assert api.call("POST", f"/v1/customers/{customer['id']}/invite", {}, token=owner).status == 202
    newer = mail[-1]

    # When the older invite is reported delivered
    reply = deliver_ses_event(ses_event("delivery", older))

    # Then the older link says so, and the customer's last_link (the newer invite) is left alone
    assert (reply["link_changed"], reply["last_link_changed"]) == (True, False)
    assert link_delivery(seeded, older) == "delivered"
    assert link_delivery(seeded, newer) == last_delivery(api, owner, customer) == "sent"


def test_an_event_for_an_unknown_link_changes_no_link(api: Api, seeded: Runtime, mail: list[SentMail]) -> None:
    # Given an invited customer, and a delivery of an email whose link Handover does not know (gone, say)
    owner, customer, sent = invited(api, mail)
    unknown = SentMail(sent.to, sent.configuration_set, {**sent.tags, "link": hash_token("never issued")})

    # When it is reported
    reply = deliver_ses_event(ses_event("delivery", unknown))

    # Then it was Handover's mail, but no link or last link changed, and nothing was created
    assert reply["recorded"] is True
    assert (reply["link_changed"], reply["last_link_changed"]) == (False, False)
    assert seeded.links.store.get(unknown.tags["link"]) is None
    assert link_delivery(seeded, sent) == last_delivery(api, owner, customer) == "sent"


@pytest.mark.parametrize("foreign", ["untagged", "other configuration set"])
def test_other_senders_mail_changes_nothing(api: Api, seeded: Runtime, mail: list[SentMail], foreign: str) -> None:
    # Given an invited customer, and a permanent bounce of the same address from mail that is not Handover's
    owner, customer, sent = invited(api, mail)
    other = (SentMail(sent.to, sent.configuration_set, {}) if foreign == "untagged"
             else SentMail(sent.to, "someone-elses-set", sent.tags))

    # When it is reported
    reply = deliver_ses_event(ses_event("bounce", other))

    # Then it is dropped: the link, the last link and the address stay as they were
    assert reply["recorded"] is False
    assert link_delivery(seeded, sent) == last_delivery(api, owner, customer) == "sent"
    assert api.customer(owner, customer["id"])["email_deliverable"] is True


def _without(path: str) -> Any:
    def change(event: dict[str, Any]) -> Any:
        *parents, last = path.split(".")
        target = event
        for name in parents:
            target = target[name]
        del target[last]
        return event
    return change


def _setting(path: str, value: Any) -> Any:
    def change(event: dict[str, Any]) -> Any:
        *parents, last = path.split(".")
        target = event
        for name in parents:
            target = target[name]
        target[last] = value
        return event
    return change


@pytest.mark.parametrize("malform", [
    _without("detail"),
    _without("detail.mail"),
    _without("detail.mail.messageId"),
    _without("detail.bounce"),
    _setting("detail-type", "Email Sent"),
    _setting("source", "aws.s3"),
    _setting("detail.eventType", "Delivery"),
    _setting("detail.bounce.bounceType", "Soft"),
    _setting("detail.bounce.bouncedRecipients", []),
    _setting("detail.mail.tags", ["link"]),
    lambda event: [event],
    lambda event: "not an event",
], ids=["no detail", "no mail", "no message id", "no bounce", "other detail-type", "other source",
        "detail of another type", "unknown bounce type", "no recipients", "tags not a map", "a list", "a string"])
def test_a_malformed_event_is_logged_and_dropped(
        api: Api, seeded: Runtime, mail: list[SentMail], malform: Any, caplog: pytest.LogCaptureFixture) -> None:
    # Given an invited customer, and a permanent bounce of the invite spoiled in one way
    owner, customer, sent = invited(api, mail)
    event = malform(ses_event("bounce", sent))

    # When it is delivered
    caplog.set_level(logging.INFO, logger="handover")
    reply = deliver_ses_event(event)

    # Then the handler returns normally (a retry would not mend it), logs where the event is wrong
    # (never the addresses), and nothing changed
    assert reply == {"recorded": False}
    dropped = [record for record in caplog.records if record.getMessage() == "malformed SES event dropped"]
    assert len(dropped) == 1 and dropped[0].problems and EMAIL not in str(vars(dropped[0]))
    assert link_delivery(seeded, sent) == last_delivery(api, owner, customer) == "sent"
    assert api.customer(owner, customer["id"])["email_deliverable"] is True


def test_a_failing_database_raises_so_the_event_comes_again(
        api: Api, seeded: Runtime, mail: list[SentMail], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an invited customer and DynamoDB failing its updates
    owner, customer, sent = invited(api, mail)
    client = seeded.dynamo._client
    real_update = client.update_item

    def down(**_kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "UpdateItem")

    monkeypatch.setattr(client, "update_item", down)
    event = ses_event("bounce", sent)

    # When the bounce is delivered, and delivered again once DynamoDB is back
    with pytest.raises(StorageUnavailable):
        deliver_ses_event(event)
    monkeypatch.setattr(client, "update_item", real_update)
    retried = deliver_ses_event(event)

    # Then the first raised (EventBridge and Lambda retry it) and the retry recorded everything
    assert (retried["link_changed"], retried["last_link_changed"], retried["marked_undeliverable"]) == (True, True, 1)
    assert last_delivery(api, owner, customer) == "bounced"
    assert api.customer(owner, customer["id"])["email_deliverable"] is False
