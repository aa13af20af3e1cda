"""The publisher: outbox items reach Handover's bus (source `handover`, their detail type, their
detail as written) through the outbox table's stream, at least once, and nothing is lost when
EventBridge refuses entries or is down for a while: the stream hands failed records over again."""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

import pytest
from handover.data.dynamo import check, put
from handover.data.outbox import OutboxRecord, OutboxStore
from handover.errors import NotFound
from handover.events.outbox import Outbox
from handover.events.publisher import Replayed, replay
from handover.runtime import Runtime

from tests.conftest import (
    EVENT_ACTOR,
    claimed_event_data,
    failing,
    invoke,
    publish_outbox,
    published_events,
    raise_events,
    sample_event,
)


def published_ids() -> Counter[str]:
    return Counter(event["detail"]["id"] for event in published_events())


def test_an_outbox_item_is_published_once_with_its_type_and_detail(rt: Runtime) -> None:
    # Given an event raised in a change's transaction
    write = rt.outbox.event("customer.claimed", account_id="A1", actor=EVENT_ACTOR, data=claimed_event_data(1))
    rt.dynamo.transact([write])

    # When the stream feeds the publisher, twice over
    handed = publish_outbox()
    again = publish_outbox()

    # Then exactly that event is on Handover's bus, once, with the item's type and detail as written
    assert (handed, again) == (1, 0)
    [event] = published_events()
    assert (event["source"], event["detail-type"], event["bus"]) == ("handover", "customer.claimed",
                                                                     rt.settings.event_bus_name)
    assert event["detail"] == json.loads(write.key_or_item["detail"])
    assert event["detail"]["id"] == write.key_or_item["id"] and event["detail"]["data"]["customer"]["id"] == "C1"
    assert event["id"] != event["detail"]["id"]  # EventBridge's own id is not the one to drop repeats by


def test_entries_go_out_ten_to_a_call_in_the_order_they_were_written(rt: Runtime,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Given 23 events and a count of PutEvents calls
    ids = raise_events(23)
    events = rt.publisher._events
    real_put = events.put_events
    calls: list[int] = []

    def counted(**request: Any) -> Any:
        calls.append(len(request["Entries"]))
        return real_put(**request)

    monkeypatch.setattr(events, "put_events", counted)

    # When the stream feeds the publisher
    publish_outbox()

    # Then three calls carried them all, in order
    assert calls == [10, 10, 3]
    assert [event["detail"]["id"] for event in published_events()] == ids


def test_refused_entries_and_an_outage_lose_nothing_and_repeat_only_what_was_retried(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given 25 events, and EventBridge refusing two entries of its first call, then down
    ids = raise_events(25)
    events = rt.publisher._events
    real_put = events.put_events
    refused = {3, 7}
    calls: list[int] = []

    def flaky(**request: Any) -> Any:
        calls.append(len(request["Entries"]))
        if len(calls) > 1:
            return failing("PutEvents")(**request)
        entries = request["Entries"]
        taken = iter(real_put(Entries=[entry for i, entry in enumerate(entries) if i not in refused])["Entries"])
        return {"FailedEntryCount": len(refused),
                "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"} if i in refused
                            else next(taken) for i in range(len(entries))]}

    monkeypatch.setattr(events, "put_events", flaky)

    # When the stream feeds the publisher, again while EventBridge is still down, and once it is back
    first = publish_outbox()
    during = publish_outbox()
    monkeypatch.setattr(events, "put_events", real_put)
    after = publish_outbox()
    settled = publish_outbox()

    # Then the first attempt stopped calling once a call failed, and each retry began at the first refused record
    assert calls == [10, 10, 10]
    assert (first, during, after, settled) == (25, 22, 22, 0)
    # And every event reached the bus: once, or twice when it went out before an earlier record failed
    # (the stream hands over everything from the first failed record again)
    went_out_early = {i for i in range(10) if i not in refused and i > min(refused)}
    assert published_ids() == {event_id: 2 if i in went_out_early else 1 for i, event_id in enumerate(ids)}


def test_a_malformed_outbox_item_is_reported_and_the_rest_of_its_batch_still_goes_out(rt: Runtime) -> None:
    # Given a good event, an item that is no outbox item (its detail is not JSON), and another good event
    [before] = raise_events(1)
    rt.dynamo.write(put(rt.settings.outbox_table, OutboxRecord(id="BROKEN", detail_type="customer.claimed",
                                                               detail="{not json", created_at=1, expires_ttl=2)
                        .model_dump()))
    [after] = raise_events(1, start=1)

    # When the stream feeds the publisher, and feeds it again
    first = publish_outbox()
    second = publish_outbox()

    # Then the good ones are on the bus, and the malformed one was reported each time, so the stream
    # keeps handing it over (from it on: the event after it goes out again)
    assert (first, second) == (3, 2)
    assert published_ids() == {before: 1, after: 2}


@pytest.mark.parametrize(("image", "reason"), [
    ({"id": {"S": "X1"}, "detail": {"S": "{}"}, "created_at": {"N": "1"}, "expires_ttl": {"N": "2"}}, "detail_type"),
    ({"id": {"S": "X1"}, "detail_type": {"S": "customer.claimed"}, "detail": {"S": "[1, 2]"},
      "created_at": {"N": "1"}, "expires_ttl": {"N": "2"}}, "not a JSON object"),
    ({"id": {"S": "X1"}, "detail_type": {"S": "customer.claimed"}, "detail": {"S": '{"id": "OTHER"}'},
      "created_at": {"N": "1"}, "expires_ttl": {"N": "2"}}, "with its id"),
])
def test_the_handler_reports_malformed_items_by_their_sequence_number(
        rt: Runtime, image: dict[str, Any], reason: str, caplog: pytest.LogCaptureFixture) -> None:
    # Given the sample's good record and a malformed one after it
    caplog.set_level(logging.WARNING, logger="handover")
    event = sample_event("publisher")
    good = event["Records"][0]
    bad = {**good, "dynamodb": {**good["dynamodb"], "NewImage": image, "SequenceNumber": "200"}}
    event["Records"].append(bad)

    # When the publisher gets them
    response = invoke("publisher", event)

    # Then only the malformed record is reported, the good one is on the bus, and the log says why
    assert response == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    assert [event["detail-type"] for event in published_events()] == ["customer.created"]
    [warning] = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warning.reasons) == 1 and reason in warning.reasons[0]


def test_a_record_that_is_not_a_new_item_is_passed_over(rt: Runtime) -> None:
    # Given a removal (TTL's, say) that reached the publisher although its filter keeps them away
    event = sample_event("publisher")
    event["Records"][0]["eventName"] = "REMOVE"

    # When the publisher gets it; Then it succeeds and publishes nothing
    assert invoke("publisher", event) == {"batchItemFailures": []}
    assert published_events() == []


def test_the_stream_filter_keeps_removals_from_the_publisher(rt: Runtime) -> None:
    # Given an event published, then its item removed (as TTL removes them after 7 days)
    [event_id] = raise_events(1)
    publish_outbox()
    rt.dynamo.delete_many(rt.settings.outbox_table, [{"id": event_id}])

    # When the stream is read again; Then nothing is handed over (Lambda's FilterCriteria, played locally)
    assert publish_outbox() == 0
    assert published_ids() == {event_id: 1}


def test_a_change_that_did_not_commit_raises_no_event(rt: Runtime) -> None:
    # Given a transaction that writes an event and fails on a condition of another item
    write = rt.outbox.event("customer.claimed", account_id="A1", actor=EVENT_ACTOR, data=claimed_event_data(1))
    missing = check(rt.settings.directory_table, {"pk": "NOPE", "sk": "NOPE"}, "attribute_exists(pk)",
                    on_condition_failure=lambda _old: NotFound())
    with pytest.raises(NotFound):
        rt.dynamo.transact([write, missing])

    # When the stream is read; Then there was nothing to publish
    assert publish_outbox() == 0
    assert published_events() == []


def test_the_publisher_sample_puts_its_event_on_the_bus(rt: Runtime) -> None:
    # When the publisher gets its events/ sample (one outbox item's INSERT)
    response = invoke("publisher", sample_event("publisher"))

    # Then it reports nothing failed and its detail is on the bus as the item holds it
    assert response == {"batchItemFailures": []}
    image = sample_event("publisher")["Records"][0]["dynamodb"]["NewImage"]
    [event] = published_events()
    assert event["detail"] == json.loads(image["detail"]["S"]) and event["detail-type"] == image["detail_type"]["S"]


def test_replay_puts_the_events_of_a_window_on_the_bus_again_oldest_first(rt: Runtime) -> None:
    # Given events written at three moments, all published, and a malformed item inside the window
    store = OutboxStore(rt.settings.outbox_table)
    ids = []
    for moment in (1_000, 2_000, 1_500):
        write = Outbox(store, clock=lambda moment=moment: moment).event(
            "customer.claimed", account_id="A1", actor=EVENT_ACTOR, data=claimed_event_data(moment))
        rt.dynamo.transact([write])
        ids.append(write.key_or_item["id"])
    rt.dynamo.write(put(rt.settings.outbox_table, {"id": "BROKEN", "created_at": 1_600}))
    publish_outbox()
    published_before = [event["detail"]["id"] for event in published_events()]

    # When the window from 1,500 to 2,000 is replayed
    replayed = replay(store, rt.dynamo, rt.publisher, 1_500, 2_000)

    # Then its two events went out again, oldest first, and the malformed item was passed over and named
    assert replayed == Replayed(published=2, malformed=[replayed.malformed[0]]) and "BROKEN" in replayed.malformed[0]
    assert [event["detail"]["id"] for event in published_events()] == [*published_before, ids[2], ids[1]]
