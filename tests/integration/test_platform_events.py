"""The platform's events through their function: each kept once, whatever the order; an event
that can never be kept is logged (without personal data) and dropped without raising; a
failing dependency raises, so EventBridge and Lambda retry it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError
from handover.errors import StorageUnavailable
from handover.runtime import Runtime

from tests.conftest import DEMO_OWNER, Api, failing, invoke, platform_event, sample_event

SAMPLES = ["platform_booking_created", "platform_booking_cancelled", "platform_payment_received",
           "platform_widget_seen", "platform_onboarding_step_completed"]


def deliver(detail_type: str, detail: dict[str, Any], event_id: str = "e-1") -> str:
    result: str = invoke("platform_events", platform_event(detail_type, detail, event_id))["result"]
    return result


def kept(rt: Runtime, account_id: str) -> list[dict[str, Any]]:
    """Every item the events left for the business, whole: its ledgers, booking receipts, shelves
    and activity (a test may scan; the service never does)."""
    from handover.data.wire import deserialise

    items = [deserialise(raw) for raw in rt.client("dynamodb").scan(TableName=rt.settings.directory_table)["Items"]]
    tenant = f"ACCT#{account_id}"

    def left_by_events(pk: str, sk: str) -> bool:
        return (pk.startswith(f"{tenant}#") and not pk.startswith(f"{tenant}#Q")) or \
            (pk == tenant and sk.startswith("LEDGER#"))

    return sorted((item for item in items if left_by_events(item["pk"], item["sk"])),
                  key=lambda item: (item["pk"], item["sk"]))


def events_of_each_type(account_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("booking.created", {"account_id": account_id, "booking_id": "b-1", "email": "ann@example.com",
                             "created_at": "2026-03-04T10:00:00Z", "reference": "R-1"}),
        ("booking.cancelled", {"account_id": account_id, "booking_id": "b-1"}),
        ("payment.received", {"account_id": account_id, "payment_id": "p-1", "amount": 25.5, "currency": "EUR",
                              "received_at": "2026-03-04T10:05:00Z", "booking_id": "b-1"}),
        ("widget.seen", {"account_id": account_id, "site": "https://shop.example.com"}),
        ("onboarding.step_completed", {"account_id": account_id, "step": "widget_installed"}),
    ]


@pytest.mark.parametrize("number", range(5), ids=["booking.created", "booking.cancelled", "payment.received",
                                                  "widget.seen", "onboarding.step_completed"])
def test_the_same_event_twice_is_kept_once(api: Api, seeded: Runtime, number: int) -> None:
    # Given an event of one type, delivered once
    account_id = api.account_id("demo")
    detail_type, detail = events_of_each_type(account_id)[number]
    if detail_type == "booking.cancelled":
        deliver(*events_of_each_type(account_id)[0])
    assert deliver(detail_type, detail, "first") == "recorded"
    before = kept(seeded, account_id)
    months = seeded.directory.activity.months(account_id, "2026-03", "2026-03")

    # When EventBridge delivers it again (a new envelope id, as a retry or a replay may have)
    again = deliver(detail_type, detail, "second")

    # Then it is a duplicate, and nothing changed: no item added, no counter moved
    assert again == "duplicate"
    assert kept(seeded, account_id) == before
    assert seeded.directory.activity.months(account_id, "2026-03", "2026-03") == months


def test_a_cancellation_that_comes_first_makes_the_booking_come_cancelled(api: Api, seeded: Runtime) -> None:
    # Given a customer, and the cancellation of a booking that has not come yet
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "ann@example.com")
    account_id = customer["account_id"]
    assert deliver("booking.cancelled", {"account_id": account_id, "booking_id": "b-9"}) == "recorded"
    assert api.customer(owner, customer["id"])["booking_count"] == 0

    # When the booking comes, then its cancellation again
    assert deliver("booking.created", {"account_id": account_id, "booking_id": "b-9", "email": "ann@example.com",
                                       "created_at": "2026-03-04T10:00:00Z"}) == "recorded"
    repeated = deliver("booking.cancelled", {"account_id": account_id, "booking_id": "b-9"})

    # Then the customer has it, cancelled, counted once; the repeat changed nothing
    detail = api.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()
    assert detail["customer"]["booking_count"] == 1
    assert [(b["id"], b["cancelled"]) for b in detail["bookings"]] == [("b-9", True)]
    assert repeated == "duplicate"


def test_a_cancellation_after_the_booking_shows_on_it(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "ann@example.com")
    account_id = customer["account_id"]
    deliver("booking.created", {"account_id": account_id, "booking_id": "b-1", "email": "ann@example.com",
                                "created_at": "2026-03-04T10:00:00Z", "service": "Massage"})
    deliver("booking.created", {"account_id": account_id, "booking_id": "b-2", "email": "ann@example.com",
                                "created_at": "2026-03-05T10:00:00Z"})

    assert deliver("booking.cancelled", {"account_id": account_id, "booking_id": "b-1"}) == "recorded"

    items = api.call("GET", f"/v1/customers/{customer['id']}/bookings", token=owner).json()["items"]
    assert [(b["id"], b["cancelled"]) for b in items] == [("b-2", False), ("b-1", True)]
    assert items[1]["service"] == "Massage"
    assert api.customer(owner, customer["id"])["booking_count"] == 2  # a cancelled booking is still one


DEMO = "<demo>"  # stands for Demo Studio's id


@pytest.mark.parametrize(("detail_type", "detail"), [
    ("booking.moved", {"account_id": DEMO, "booking_id": "b-1"}),  # a detail-type nobody reads
    ("booking.created", {"booking_id": "b-1", "email": "ann@example.com", "created_at": "2026-03-04T10:00:00Z"}),
    ("booking.created", {"account_id": DEMO, "booking_id": "b-1", "email": "not an address",
                         "created_at": "2026-03-04T10:00:00Z"}),
    ("booking.created", {"account_id": DEMO, "booking_id": "b#1", "email": "ann@example.com",
                         "created_at": "2026-03-04T10:00:00Z"}),
    ("booking.created", {"account_id": DEMO, "booking_id": "b-1", "email": "ann@example.com",
                         "created_at": "last tuesday"}),
    ("booking.cancelled", {"account_id": DEMO}),
    ("payment.received", {"account_id": DEMO, "payment_id": "p-1", "amount": -5, "currency": "EUR",
                          "received_at": "2026-03-04T10:00:00Z"}),
    ("payment.received", {"account_id": DEMO, "payment_id": "p-1", "amount": "NaN", "currency": "EUR",
                          "received_at": "2026-03-04T10:00:00Z"}),
    ("payment.received", {"account_id": DEMO, "payment_id": "p-1", "amount": 5, "currency": "euros",
                          "received_at": "2026-03-04T10:00:00Z"}),
    ("widget.seen", {"account_id": DEMO, "site": "https://shop.example.com/checkout?x=1"}),
    ("widget.seen", {"account_id": DEMO, "site": "ftp://shop.example.com"}),
    ("onboarding.step_completed", {"account_id": DEMO, "step": ""}),
])
def test_a_malformed_event_is_dropped_without_raising(api: Api, seeded: Runtime, detail_type: str,
                                                      detail: dict[str, Any]) -> None:
    # Given an event that breaks its model
    account_id = api.account_id("demo")
    detail = {name: account_id if value == DEMO else value for name, value in detail.items()}

    # When it is delivered, twice
    results = [deliver(detail_type, detail), deliver(detail_type, detail)]

    # Then the handler returns each time (no retry, no crash loop), and nothing was kept
    assert results == ["malformed", "malformed"]
    assert kept(seeded, account_id) == []


def test_an_envelope_that_is_not_an_eventbridge_event_is_dropped(api: Api) -> None:
    assert invoke("platform_events", {"detail-type": "booking.created", "detail": {}})["result"] == "malformed"
    assert invoke("platform_events", {"Records": []})["result"] == "malformed"


@pytest.mark.parametrize("number", range(5))
def test_an_event_for_an_unknown_business_is_dropped(api: Api, seeded: Runtime, number: int) -> None:
    detail_type, detail = events_of_each_type("01ARZ3NDEKTSV4RRFFQ69G5FAV")[number]
    assert deliver(detail_type, detail) == "unknown_business"
    assert kept(seeded, "01ARZ3NDEKTSV4RRFFQ69G5FAV") == []


@pytest.mark.parametrize(("operation", "method"), [("BatchGetItem", "batch_get_item"),
                                                   ("TransactWriteItems", "transact_write_items")])
def test_dynamodb_failing_raises_and_the_retry_keeps_the_booking_once(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch, operation: str, method: str) -> None:
    # Given a customer, and DynamoDB down
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "ann@example.com")
    event = platform_event("booking.created", {"account_id": customer["account_id"], "booking_id": "b-1",
                                               "email": "ann@example.com", "created_at": "2026-03-04T10:00:00Z"})
    client = seeded.dynamo._client
    real = getattr(client, method)
    monkeypatch.setattr(client, method, failing(operation))

    # When the booking comes, then comes again (Lambda's retry) once DynamoDB is back
    with pytest.raises((ClientError, StorageUnavailable)):
        invoke("platform_events", event)
    monkeypatch.setattr(client, method, real)
    retried = invoke("platform_events", event)

    # Then the first raised (so it is retried), and the retry kept it once
    assert retried["result"] == "recorded"
    assert api.customer(owner, customer["id"])["booking_count"] == 1


def test_the_event_samples_run_through_the_handler(api: Api, seeded: Runtime) -> None:
    # Given Demo Studio and a customer with the samples' email
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "jane.doe@example.com")
    account_id = customer["account_id"]

    # When each sample is handed to the function, then all of them again
    first = [invoke("platform_events", sample_event(name, account_id=account_id))["result"] for name in SAMPLES]
    again = [invoke("platform_events", sample_event(name, account_id=account_id))["result"] for name in SAMPLES]

    # Then each was kept once: the booking is the customer's, cancelled; the rest is in the activity
    assert first == ["recorded"] * 5
    assert again == ["duplicate"] * 5
    detail = api.call("GET", f"/v1/customers/{customer['id']}", token=owner).json()
    assert [(b["reference"], b["cancelled"]) for b in detail["bookings"]] == [("R-1042", True)]
    activity = seeded.directory.activity
    [month] = activity.months(account_id, "2026-11", "2026-11")
    assert (month.bookings, month.payments, str(month.payments_amount)) == (1, 1, "89.5")
    assert [site.origin for site in activity.sites(account_id)] == ["https://www.demo-studio.example"]
    assert [step.step for step in activity.completed_steps(account_id)] == ["booking_widget_installed"]


def test_the_logs_name_the_event_without_personal_data(api: Api, capsys: pytest.CaptureFixture[str],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    # Given every log line captured
    caplog.set_level(logging.DEBUG, logger="handover")
    account_id = api.account_id("demo")

    # When a booking is kept, and a malformed one with another email is dropped
    deliver("booking.created", {"account_id": account_id, "booking_id": "b-1", "email": "ann.private@example.com",
                                "created_at": "2026-03-04T10:00:00Z"})
    deliver("booking.created", {"account_id": account_id, "booking_id": "b-2", "email": "bob.private@example.com",
                                "created_at": "not a time"})

    # Then both are logged by id and problem, the emails masked or left out
    handled = [vars(record) for record in caplog.records if record.getMessage() == "platform event handled"]
    assert [(fields["result"], fields.get("booking_id"), fields.get("email")) for fields in handled] == [
        ("recorded", "b-1", "a***@example.com"), ("malformed", None, None)]
    assert handled[1]["problems"][0]["loc"] == ["booking.created", "detail", "created_at"]
    logged = capsys.readouterr().out + caplog.text + repr([vars(record) for record in caplog.records])
    assert "ann.private" not in logged and "bob.private" not in logged
