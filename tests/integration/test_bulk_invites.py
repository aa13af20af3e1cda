"""Bulk invites (POST /v1/customers/invites): by ids and by status, the single invite's rules for
each customer (skips, a resend revoking the older link), a retried batch that sends no second
email, a cancel in the middle, a failed send, and the send rate never exceeded."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from handover.data.limits import LimitStore
from handover.jobs.invite_rows import InviteRows, SendRate
from handover.runtime import Runtime

from tests.conftest import (
    DEMO_OWNER,
    Api,
    SentMail,
    deliver_queued_work,
    deliver_ses_event,
    failing,
    last_link_token,
    publish_outbox,
    published_events,
    sent_emails,
    ses_event,
)
from tests.integration.test_jobs import OUTCOMES, job, queued_batches, run_worker

PATH = "/v1/customers/invites"
QUEUE = ("INVITE_QUEUE_URL", "customers")


def start(api: Api, token: str, body: dict[str, Any]) -> str:
    reply = api.call("POST", PATH, body, token=token)
    assert reply.status == 202, reply.body
    assert reply.json()["job"]["kind"] == "invite"
    job_id: str = reply.json()["job"]["id"]
    return job_id


def customers(api: Api, token: str, count: int, name: str = "bulk") -> list[str]:
    return [api.create_customer(token, f"{name}{number}@example.com")["id"] for number in range(count)]


def with_status(api: Api, token: str, status: str) -> list[str]:
    reply = api.call("GET", f"/v1/customers?limit=100&status={status}", token=token)
    return [customer["id"] for customer in reply.json()["items"]]


def finished_jobs() -> list[str]:
    publish_outbox()
    return [event["detail"]["data"]["job"]["id"] for event in published_events("job.finished")]


def test_by_ids_sends_each_once_and_skips_claimed_locked_and_undeliverable(
        api: Api, mail: list[SentMail]) -> None:
    # Given three unclaimed customers, a claimed one, a locked one, an undeliverable one and an unknown id
    owner = api.login(DEMO_OWNER)
    fresh = customers(api, owner, 3)
    claimed, _ = api.claimed_customer(owner, "claimed@example.com")
    locked = api.create_customer(owner, "locked@example.com")["id"]
    assert api.call("POST", f"/v1/customers/{locked}/lock", {}, token=owner).status == 200
    bounced = api.create_customer(owner, "bounced@example.com")["id"]
    assert api.call("POST", f"/v1/customers/{bounced}/invite", {}, token=owner).status == 202
    deliver_ses_event(ses_event("bounce", mail[-1]))
    sent_before = len(mail)

    # When they are invited in bulk
    job_id = start(api, owner, {"ids": [*fresh, claimed["id"], locked, bounced, "01NOSUCHCUSTOMER"]})
    deliver_queued_work()

    # Then the three got an invite, the others were skipped, the unknown id failed with an error row
    done = job(api, owner, job_id)
    assert {name: done[name] for name in ("status", "total", "processed", "sent", "skipped", "failed")} == {
        "status": "done", "total": 7, "processed": 7, "sent": 3, "skipped": 3, "failed": 1}
    assert sorted(sent.to for sent in mail[sent_before:]) == [f"bulk{number}@example.com" for number in range(3)]
    assert all(api.customer(owner, customer)["status"] == "invited" for customer in fresh)
    errors = api.call("GET", f"/v1/jobs/{job_id}/errors", token=owner).json()["items"]
    assert [(error["row"], error["code"]) for error in errors] == [(7, "not_found")]
    assert finished_jobs() == [job_id]
    publish_outbox()
    assert len([event for event in published_events("customer.invited")
                if event["detail"]["data"]["customer"]["id"] in fresh]) == 3


def test_by_status_invited_resends_and_the_older_link_stops_working(api: Api) -> None:
    # Given customers invited singly, each holding a link
    owner = api.login(DEMO_OWNER)
    ids = customers(api, owner, 2, "resend")
    for customer in ids:
        assert api.call("POST", f"/v1/customers/{customer}/invite", {}, token=owner).status == 202
    old = last_link_token("resend0@example.com")
    invited = with_status(api, owner, "invited")

    # When every invited customer is invited again
    job_id = start(api, owner, {"status": "invited"})
    deliver_queued_work()

    # Then each got a new link, the older one no longer works and the new one does
    done = job(api, owner, job_id)
    assert (done["status"], done["total"], done["sent"]) == ("done", len(invited), len(invited))
    new = last_link_token("resend0@example.com")
    assert new != old
    refused = api.call("POST", "/v1/auth/claim", {"token": old, "password": "Sunny-Harbour-42"})
    assert refused.status == 410
    assert api.call("POST", "/v1/auth/claim", {"token": new, "password": "Sunny-Harbour-42"}).status == 200


def test_by_status_unclaimed_invites_every_unclaimed_customer(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customers(api, owner, 3, "unclaimed")
    unclaimed = with_status(api, owner, "unclaimed")

    job_id = start(api, owner, {"status": "unclaimed"})
    deliver_queued_work()

    done = job(api, owner, job_id)
    assert (done["status"], done["total"], done["sent"]) == ("done", len(unclaimed), len(unclaimed))
    assert with_status(api, owner, "unclaimed") == []
    # Nobody left with the status: a job done as it starts
    empty = job(api, owner, start(api, owner, {"status": "unclaimed"}))
    assert (empty["status"], empty["total"]) == ("done", 0)


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": ["a", "a"]}, {"status": "active"},
                                  {"ids": ["a"], "status": "unclaimed"}, {"ids": [f"c{n}" for n in range(1001)]}])
def test_a_body_naming_not_exactly_one_set_of_customers_is_422(api: Api, body: dict[str, Any]) -> None:
    owner = api.login(DEMO_OWNER)
    assert api.call("POST", PATH, body, token=owner).status == 422


def test_a_retried_batch_sends_no_second_email(api: Api, mail: list[SentMail]) -> None:
    # Given a bulk invite of three in one batch
    owner = api.login(DEMO_OWNER)
    job_id = start(api, owner, {"ids": customers(api, owner, 3)})
    [batch] = queued_batches(*QUEUE)
    sent_before = len(mail)

    # When SQS hands the batch over three times
    for _ in range(3):
        assert run_worker(batch, name="invite_worker") == []

    # Then each customer got one email, counted once, and the job finished once
    assert len(mail) - sent_before == 3
    done = job(api, owner, job_id)
    assert (done["status"], done["processed"], done["sent"]) == ("done", 3, 3)
    assert finished_jobs() == [job_id]


def test_a_cancel_in_the_middle_stops_the_invites_not_yet_sent(api: Api, mail: list[SentMail]) -> None:
    # Given 30 customers in two batches, the first sent
    owner = api.login(DEMO_OWNER)
    job_id = start(api, owner, {"ids": customers(api, owner, 30)})
    first, second = queued_batches(*QUEUE)
    sent_before = len(mail)
    assert run_worker(first, name="invite_worker") == []

    # When the job is cancelled, then the second batch comes
    assert api.call("POST", f"/v1/jobs/{job_id}/cancel", token=owner).status == 200
    assert run_worker(second, name="invite_worker") == []

    # Then nobody after the cancel was sent an invite
    final = job(api, owner, job_id)
    assert (final["status"], final["processed"], final["sent"]) == ("cancelled", 25, 25)
    assert len(mail) - sent_before == 25
    assert finished_jobs() == [job_id]


def test_a_failed_send_counts_failed_with_an_error_and_is_not_sent_again(
        api: Api, seeded: Runtime, mail: list[SentMail], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a bulk invite of two, and SES down
    owner = api.login(DEMO_OWNER)
    ids = customers(api, owner, 2)
    job_id = start(api, owner, {"ids": ids})
    [batch] = queued_batches(*QUEUE)
    with monkeypatch.context() as patched:
        patched.setattr(seeded.mailer._ses, "send_email", failing("SendEmail"))
        assert run_worker(batch, name="invite_worker") == []

    # When the batch comes again with SES back
    assert run_worker(batch, name="invite_worker") == []

    # Then both failed, with errors, nothing went out, and last_link says nothing was sent
    done = job(api, owner, job_id)
    assert (done["status"], done["processed"], done["sent"], done["failed"]) == ("done", 2, 0, 2)
    errors = api.call("GET", f"/v1/jobs/{job_id}/errors", token=owner).json()["items"]
    assert [(error["row"], error["code"]) for error in errors] == [(1, "email_unavailable"), (2, "email_unavailable")]
    assert [sent for sent in sent_emails() if sent["to"].startswith("bulk")] == []
    assert api.customer(owner, ids[0])["last_link"] is None


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_send_rate_is_never_exceeded_across_jobs_and_workers(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two jobs of seven invites each, and a send rate of 3 a second
    owner = api.login(DEMO_OWNER)
    first = start(api, owner, {"ids": customers(api, owner, 7, "first")})
    second = start(api, owner, {"ids": customers(api, owner, 7, "second")})
    batches = [json.loads(record["body"]) for record in queued_batches(*QUEUE)]
    clock = FakeClock(1_000_000.5)
    sent_in: Counter[int] = Counter()
    deliver = seeded.link_mailer.deliver

    def counted(letter: Any) -> None:
        sent_in[int(clock())] += 1
        deliver(letter)

    monkeypatch.setattr(seeded.link_mailer, "deliver", counted)

    def worker() -> InviteRows:
        rate = SendRate(LimitStore(seeded.dynamo, seeded.settings.directory_table), 3, clock=clock, sleep=clock.sleep)
        return InviteRows(directory=seeded.directory, customers=seeded.customers, link_mailer=seeded.link_mailer,
                          jobs=seeded.jobs, rate=rate, clock=clock)

    # When two workers work them off over the same seconds (the second starting where the first did)
    worker().apply(batches[0])
    clock.now = 1_000_000.5
    worker().apply(batches[1])

    # Then all fourteen went out, never more than three in a second
    assert sum(sent_in.values()) == 14
    assert max(sent_in.values()) == 3
    assert len(sent_in) == 5
    for job_id in (first, second):
        done = job(api, owner, job_id)
        assert done["sent"] == 7 and done["processed"] == sum(done[name] for name in OUTCOMES)
