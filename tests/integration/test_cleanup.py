"""The daily cleanup removes what TTL has not, found by expiry day, and leaves the rest."""

from __future__ import annotations

import time

from handover.accounts.history import DAY, expiry_day, history_entry
from handover.data.history import Actor
from handover.data.links import LinkRecord
from handover.runtime import Runtime

from tests.conftest import Api, invoke, sample_event


def _link(token_hash: str, expires_at: int) -> LinkRecord:
    return LinkRecord(token_hash=token_hash, kind="invite", account_id="A", account_name="Demo", subject_id="C",
                      email="c@example.com", link_version=1, token_version=1, created_at=expires_at - 3600,
                      expires_at=expires_at, expiry_day=expiry_day(expires_at), expires_ttl=expires_at)


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
