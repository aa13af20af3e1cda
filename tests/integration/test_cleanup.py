"""The daily cleanup removes what TTL has not, found by expiry day, and leaves the rest."""

from __future__ import annotations

import time

import pytest
from handover.accounts.history import DAY, history_entry
from handover.cleanup import DAYS_BACK
from handover.data.expiry import SHARDS, expiry_day, keys_of_day
from handover.data.history import Actor
from handover.data.links import LinkRecord
from handover.runtime import Runtime, runtime

from tests.conftest import Api, invoke, sample_event


def _link(token_hash: str, expires_at: int, day: str | None = None) -> LinkRecord:
    return LinkRecord(token_hash=token_hash, kind="invite", account_id="A", account_name="Demo", subject_id="C",
                      email="c@example.com", link_version=1, token_version=1, created_at=expires_at - 3600,
                      expires_at=expires_at, expiry_day=day or expiry_day(expires_at, token_hash),
                      expires_ttl=expires_at)


def test_cleanup_removes_backdated_entries_and_links_and_keeps_fresh_ones(api: Api, seeded: Runtime) -> None:
    # Given a history entry and a link that expired two days ago, and fresh ones
    now = time.time()
    actor = Actor(realm="operator", id="OP")
    old_entry = history_entry(account_id="A", actor=actor, action="old", target={"type": "account", "id": "A"},
                              now=now - 182 * DAY)
    fresh_entry = history_entry(account_id="A", actor=actor, action="fresh", target={"type": "account", "id": "A"},
                                now=now)
    seeded.dynamo.transact([
        seeded.history.add(old_entry), seeded.history.add(fresh_entry),
        seeded.links.store.add(_link("old", int(now) - 2 * DAY)),
        seeded.links.store.add(_link("fresh", int(now) + DAY)),
    ])

    # When the scheduled cleanup runs (its events/ sample)
    result = invoke("cleanup", sample_event("cleanup"))

    # Then only the expired ones are gone, and the counts say so
    assert result == {"history_removed": 1, "links_removed": 1, "accounts_settled": 0, "sessions_removed": 0}
    entries, _ = seeded.history.newest("A", 10)
    assert [entry.action for entry in entries] == ["fresh"]
    assert seeded.links.store.get("old") is None and seeded.links.store.get("fresh") is not None


def test_cleanup_uses_the_expiry_index_and_never_scans(api: Api, seeded: Runtime) -> None:
    calls: list[str] = []
    seeded.dynamo._client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    invoke("cleanup", sample_event("cleanup"))
    assert "Query" in calls and "Scan" not in calls


def test_links_of_one_day_spread_over_the_shards_and_the_cleanup_reads_each(api: Api, seeded: Runtime) -> None:
    # Given 64 links that expired yesterday, and one written before the index was sharded (the bare day)
    yesterday = int(time.time()) - DAY
    links = [_link(f"old-{number}", yesterday) for number in range(64)]
    links.append(_link("unsharded", yesterday, day=keys_of_day(yesterday)[0]))
    for start in range(0, len(links), 25):
        seeded.dynamo.transact([seeded.links.store.add(link) for link in links[start:start + 25]])
    shards = {link.expiry_day for link in links}
    assert len(shards) == SHARDS + 1  # one index partition key per shard, and the bare day

    # When the cleanup runs, counting its Queries
    calls: list[str] = []
    seeded.dynamo._client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    result = invoke("cleanup", sample_event("cleanup"))

    # Then every one is gone, each shard of each ended day of the past week read by a Query of its own,
    # three tables alike
    assert result["links_removed"] == 65
    assert all(seeded.links.store.get(link.token_hash) is None for link in links)
    assert calls.count("Query") >= 3 * DAYS_BACK * (SHARDS + 1)


def _index_queries(rt: Runtime) -> list[str]:
    days: list[str] = []

    def seen(params: dict, **_: object) -> None:
        if params.get("IndexName") == "by_expiry_day":
            days.append(params["ExpressionAttributeValues"][":day"]["S"].split("#")[0])

    rt.dynamo._client.meta.events.register("provide-client-params.dynamodb.Query", seen)
    return days


def test_a_run_reads_only_the_days_ended_since_the_last_clean_sweep(api: Api, seeded: Runtime,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rt = runtime()
    days = _index_queries(rt)
    now = time.time()

    # Given a first run, which reads the ended days of the past week
    rt.cleanup.run()
    assert len(set(days)) == DAYS_BACK and len(days) == 3 * DAYS_BACK * (SHARDS + 1)

    # When it runs again the same day, then no expiry day is read again
    days.clear()
    rt.cleanup.run()
    assert days == []

    # When it runs the next day, with a link that expired earlier today, then it reads today alone
    seeded.dynamo.transact([seeded.links.store.add(_link("tonight", int(now)))])
    monkeypatch.setattr(rt.cleanup, "_clock", lambda: now + DAY)
    days.clear()
    report = rt.cleanup.run()
    assert set(days) == {time.strftime("%Y-%m-%d", time.gmtime(now))} and len(days) == 3 * (SHARDS + 1)
    assert report.links_removed == 1

    # When three daily runs were missed, then the next reads the four days that ended since
    monkeypatch.setattr(rt.cleanup, "_clock", lambda: now + 5 * DAY)
    days.clear()
    rt.cleanup.run()
    assert len(set(days)) == 4
