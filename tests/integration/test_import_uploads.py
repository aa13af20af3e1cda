"""Imports from an uploaded file (POST /v1/customers/imports/uploads): the job and its pre-signed
URL, the file PUT to it, and the planner S3's event runs: rows imported with errors by row, a bad
file failing the job, an event delivered twice planning once, and a dry run."""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import requests
from handover.data.jobs import job_key
from handover.runtime import Runtime

from local.aws import REGION
from local.triggers import s3_event
from tests.conftest import DEMO_OWNER, Api, deliver_queued_work, invoke, publish_outbox, published_events, sent_emails

PATH = "/v1/customers/imports/uploads"


def upload(api: Api, token: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    reply = api.call("POST", PATH, body if body is not None else {}, token=token)
    assert reply.status == 201, reply.body
    answer: dict[str, Any] = reply.json()
    return answer


def put_file(url: str, content: bytes) -> None:
    """PUT the file to the pre-signed URL, as `curl -T` would (moto answers it in this process)."""
    response = requests.put(url, data=content, timeout=10)
    assert response.status_code == 200, response.text


def landed(url: str) -> dict[str, Any]:
    """The S3 event for the object the URL PUT, as S3 would send it."""
    bucket = os.environ["IMPORT_UPLOAD_BUCKET"]
    path = urlsplit(url).path
    key = path[path.index("imports/"):]
    head = boto3.client("s3", region_name=REGION).head_object(Bucket=bucket, Key=key)
    return s3_event(bucket, key, head["ContentLength"], head["ETag"])


def plan(event: dict[str, Any]) -> list[str]:
    outcomes: list[str] = invoke("import_planner", event)["outcomes"]
    return outcomes


def job_of(api: Api, token: str, job_id: str) -> dict[str, Any]:
    reply = api.call("GET", f"/v1/jobs/{job_id}", token=token)
    assert reply.status == 200, reply.body
    job: dict[str, Any] = reply.json()["job"]
    return job


def test_an_upload_answers_a_queued_job_and_a_15_minute_put_url_for_its_key(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    answer = upload(api, owner)
    job, url = answer["job"], answer["upload"]["url"]
    assert (job["status"], job["total"], job["dry_run"], job["on_existing"]) == ("queued", 0, False, "skip")
    assert (answer["upload"]["method"], answer["upload"]["headers"]) == ("PUT", {})
    assert urlsplit(url).path.endswith(f"/imports/{api.account_id('demo')}/{job['id']}.csv")
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["900"]
    assert answer["upload"]["expires_at"] > job["created_at"]


def test_a_file_put_to_the_url_is_planned_and_its_rows_imported_with_errors_by_row(api: Api) -> None:
    # Given an upload and a file with a byte-order mark, a bad row and a repeated email
    owner = api.login(DEMO_OWNER)
    answer = upload(api, owner)
    put_file(answer["upload"]["url"], "\ufeffemail,first_name,last_name\r\nann@example.com,Ann,Smith\r\n"
                                      "not-an-email,Bob,Jones\r\nANN@example.com,Ann,Again\r\n".encode())

    # When S3's event runs the planner and the worker works off the rows
    assert plan(landed(answer["upload"]["url"])) == ["planned"]
    assert job_of(api, owner, answer["job"]["id"])["status"] == "running"
    deliver_queued_work()

    # Then the job is done with exact counts, errors by row, and no email sent
    job = job_of(api, owner, answer["job"]["id"])
    assert (job["status"], job["total"], job["processed"], job["created"], job["failed"]) == ("done", 3, 3, 1, 2)
    errors = api.call("GET", f"/v1/jobs/{job['id']}/errors", token=owner).json()["items"]
    assert [(error["row"], error["column"]) for error in errors] == [(3, "email"), (4, "email")]
    assert errors[1]["code"] == "duplicate_in_file"
    assert [c["email"] for c in api.call("GET", "/v1/customers?q=ann", token=owner).json()["items"]] == [
        "ann@example.com"]
    assert sent_emails() == []


def test_a_file_that_is_not_a_utf8_csv_with_an_email_column_fails_its_job(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    for content, error in [("email,first_name\nzoë@example.com,Zoë\n".encode("latin-1"), "not UTF-8"),
                           (b"first_name,last_name\nAnn,Smith\n", "no `email` column")]:
        answer = upload(api, owner)
        put_file(answer["upload"]["url"], content)

        assert plan(landed(answer["upload"]["url"])) == ["failed"]

        job = job_of(api, owner, answer["job"]["id"])
        assert (job["status"], job["total"], job["processed"]) == ("failed", 0, 0)
        assert error in job["error"]
        assert job["finished_at"] is not None
    assert deliver_queued_work() == 0
    publish_outbox()
    assert [event["detail"]["data"]["job"]["status"] for event in published_events("job.finished")] == [
        "failed", "failed"]


def test_the_same_s3_event_twice_plans_the_file_once(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    answer = upload(api, owner)
    put_file(answer["upload"]["url"], b"email,first_name,last_name\nann@example.com,Ann,Smith\n")
    event = landed(answer["upload"]["url"])

    assert plan(event) == ["planned"]
    assert plan(event) == ["ignored"]

    assert deliver_queued_work() == 1  # one batch queued, not two
    job = job_of(api, owner, answer["job"]["id"])
    assert (job["status"], job["total"], job["processed"], job["created"]) == ("done", 1, 1, 1)


def test_a_dry_run_upload_counts_and_writes_no_customer(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    api.create_customer(owner, "bob@example.com")
    answer = upload(api, owner, {"dry_run": True})
    put_file(answer["upload"]["url"], b"email,first_name,last_name\nann@example.com,Ann,Smith\n"
                                      b"bob@example.com,Bob,Jones\n")

    assert plan(landed(answer["upload"]["url"])) == ["planned"]
    deliver_queued_work()

    job = job_of(api, owner, answer["job"]["id"])
    assert (job["dry_run"], job["status"], job["created"], job["skipped"]) == (True, "done", 1, 1)
    assert api.call("GET", "/v1/customers?q=ann", token=owner).json()["items"] == []


def test_a_job_cancelled_before_its_file_lands_is_not_planned_and_a_header_only_file_is_done(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    cancelled = upload(api, owner)
    assert api.call("POST", f"/v1/jobs/{cancelled['job']['id']}/cancel", token=owner).status == 200
    put_file(cancelled["upload"]["url"], b"email\nann@example.com\n")
    assert plan(landed(cancelled["upload"]["url"])) == ["ignored"]
    assert job_of(api, owner, cancelled["job"]["id"])["status"] == "cancelled"

    empty = upload(api, owner)
    put_file(empty["upload"]["url"], b"email,first_name,last_name\r\n")
    assert plan(landed(empty["upload"]["url"])) == ["done"]
    assert (job_of(api, owner, empty["job"]["id"])["status"], deliver_queued_work()) == ("done", 0)


def test_a_job_whose_file_never_lands_fails_when_read_after_its_due_time(api: Api, seeded: Runtime) -> None:
    # Given an upload's job whose file is overdue (its URL expired more than an hour ago)
    owner = api.login(DEMO_OWNER)
    answer = upload(api, owner)
    job_id = answer["job"]["id"]
    assert job_of(api, owner, job_id)["status"] == "queued"
    key = {name: {"S": value} for name, value in job_key(api.account_id("demo"), job_id).items()}
    past = {":past": {"N": str(int(time.time()) - 1)}}
    seeded.dynamo._client.update_item(TableName=seeded.settings.directory_table, Key=key,
                                      UpdateExpression="SET file_due_at = :past", ExpressionAttributeValues=past)

    # Then the next read finds it failed with the reason, once (one job.finished)
    job = job_of(api, owner, job_id)
    assert (job["status"], job["error"]) == ("failed", "The file was not uploaded before its upload URL expired")
    listed = api.call("GET", "/v1/jobs", token=owner).json()["items"]
    assert [entry["status"] for entry in listed if entry["id"] == job_id] == ["failed"]
    publish_outbox()
    assert [event["detail"]["data"]["job"]["status"] for event in published_events("job.finished")
            if event["detail"]["data"]["job"]["id"] == job_id] == ["failed"]

    # And a file landing after all is not planned
    put_file(answer["upload"]["url"], b"email\nann@example.com\n")
    assert plan(landed(answer["upload"]["url"])) == ["ignored"]


def test_upload_options_are_checked(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    assert api.call("POST", PATH, {"on_existing": "merge"}, token=owner).status == 422
    assert api.call("POST", PATH, {"dry_run": True, "extra": 1}, token=owner).status == 422
