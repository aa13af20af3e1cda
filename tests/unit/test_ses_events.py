"""SES's EventBridge events as Handover reads them (the samples in events/), the tags an email
carries, and the order delivery states move in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from handover.data.links import LinkRecord, states_before
from handover.mail.ses_events import SesMailEvent
from handover.mail.tags import MailTags
from pydantic import ValidationError

EVENTS = Path(__file__).resolve().parents[2] / "events"


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return loaded


@pytest.mark.parametrize(("name", "delivery", "undeliverable"), [
    ("ses_delivery", "delivered", []),
    ("ses_bounce", "bounced", ["jane.doe@example.com"]),
    ("ses_complaint", "complained", ["jane.doe@example.com"]),
])
def test_each_sample_reads_as_what_it_reports(name: str, delivery: str, undeliverable: list[str]) -> None:
    event = SesMailEvent.model_validate(sample(name))

    assert event.delivery == delivery
    assert event.undeliverable_addresses == undeliverable
    assert MailTags.found_in(event.detail.mail.tags) == MailTags(
        token_hash="REPLACE_WITH_LINK", account_id="REPLACE_WITH_ACCOUNT_ID", kind="invite", realm="customer",
        subject_id="REPLACE_WITH_CUSTOMER_ID")


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_a_bounce_that_is_not_permanent_makes_no_address_undeliverable(bounce_type: str) -> None:
    event = sample("ses_bounce")
    event["detail"]["bounce"]["bounceType"] = bounce_type

    assert SesMailEvent.model_validate(event).undeliverable_addresses == []


def test_a_detail_type_must_carry_its_own_record() -> None:
    event = sample("ses_delivery")
    event["detail-type"] = "Email Bounced"

    with pytest.raises(ValidationError):
        SesMailEvent.model_validate(event)


def test_tags_name_the_link_and_come_back_as_ses_publishes_them() -> None:
    link = LinkRecord(token_hash="a" * 64, kind="reset", account_id="01ACCOUNT", account_name="Demo",
                      subject_realm="staff", subject_id="01STAFF", email="x@example.com", link_version=1,
                      token_version=1, created_at=1, expires_at=2, expiry_day="1970-01-01", expires_ttl=2)

    tags = MailTags.of(link).as_tags()

    assert tags == {"link": "a" * 64, "business": "01ACCOUNT", "kind": "reset", "realm": "staff",
                    "subject": "01STAFF"}
    assert MailTags.found_in({name: [value] for name, value in tags.items()}) == MailTags.of(link)


@pytest.mark.parametrize("spoil", [
    {"link": []}, {"kind": ["welcome"]}, {"realm": ["operator"]}, {"subject": ["a b"]}, {"business": [""]},
])
def test_tags_that_handover_would_not_write_are_not_handovers(spoil: dict[str, list[str]]) -> None:
    tags = {"link": ["a" * 64], "business": ["01A"], "kind": ["invite"], "realm": ["customer"], "subject": ["01C"]}

    assert MailTags.found_in(tags) is not None
    assert MailTags.found_in({**tags, **spoil}) is None


def test_delivery_moves_only_forwards() -> None:
    assert states_before("delivered") == ("sent",)
    assert states_before("bounced") == ("sent", "delivered")
    assert states_before("complained") == ("sent", "delivered", "bounced")
