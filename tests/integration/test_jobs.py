"""Jobs: exact counts at every read, a retried batch that applies no row twice, cancelling, the
one `job.finished`, the lists and their tenancy."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError
from handover.runtime import Runtime

from local.lambdas import LambdaContext, handler_of
from local.template import functions
from tests.conftest import CLINIC_OWNER, DEMO_OWNER, Api, deliver_queued_work, publish_outbox, published_events

OUTCOMES = ("created", "updated", "skipped", "sent", "failed")


def start_import(api: Api, token: str, count: int, query: str = "") -> str:
    rows = [{"email": f"person{number}@example.com", "first_name": "P", "last_name": f"Person {number}"}
            for number in range(count)]
    reply = api.call("POST", "/v1/customers/imports" + query, {"rows": rows}, token=token)
    assert reply.status == 202, reply.body
    job_id: str = reply.json()["job"]["id"]
    return job_id


def job(api: Api, token: str, job_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.call("GET", f"/v1/jobs/{job_id}", token=token).json()["job"]
    assert found["processed"] == sum(found[name] for name in OUTCOMES), found
    return found


def queued_batches(queue: str = "IMPORT_QUEUE_URL", entries: str = "rows") -> list[dict[str, Any]]:
    """A job queue's messages (the import's unless named), taken off it, as SQS records for the
    worker, in row order."""
    sqs = boto3.client("sqs")
    url = os.environ[queue]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    records = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            records.append({"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                            "body": message["Body"], "attributes": {}, "messageAttributes": {},
                            "md5OfBody": message["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": arn,
                            "awsRegion": "eu-west-1"})
    return sorted(records, key=lambda record: json.loads(record["body"])[entries][0]["row"])


def run_worker(*records: dict[str, Any], name: str = "import_worker") -> list[str]:
    """Hand the records to a job worker (the import's unless named) as one batch; the ids it
    reports failed."""
    worker = next(function for function in functions() if function.name == name)
    try:
        response = handler_of(worker)({"Records": list(records)}, LambdaContext(function_name=worker.logical_id))
    except BatchProcessingError:  # every record failed: Lambda hands the whole batch back to SQS
        return [record["messageId"] for record in records]
    return [failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])]


def customer_emails(api: Api, token: str) -> list[str]:
    emails, cursor = [], ""
    while True:
        page = api.call("GET", f"/v1/customers?limit=100{cursor}", token=token).json()
        emails += [customer["email"] for customer in page["items"]]
        if not page["next_cursor"]:
            return emails
        cursor = f"&cursor={page['next_cursor']}"


def test_a_batch_that_fails_halfway_is_retried_without_applying_a_row_twice(
        api: Api, seeded: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an import of 10 rows in one batch, and DynamoDB failing on the worker's 5th transaction
    owner = api.login(DEMO_OWNER)
    job_id = start_import(api, owner, 10)
    [batch] = queued_batches()
    client = seeded.dynamo._client
    real = client.transact_write_items
    calls = {"count": 0}

    def flaky(**request: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 5:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "TransactWriteItems")
        return real(**request)

    monkeypatch.setattr(client, "transact_write_items", flaky)

    # When the worker runs the batch, which fails, and SQS hands it over again
    assert run_worker(batch) == [batch["messageId"]]
    halfway = job(api, owner, job_id)
    assert run_worker(batch) == []
    assert run_worker(batch) == []  # a third delivery, for good measure

    # Then the first four rows stood, and each row was applied exactly once
    assert (halfway["processed"], halfway["created"], halfway["status"]) == (4, 4, "running")
    done = job(api, owner, job_id)
    assert (done["status"], done["processed"], done["created"], done["failed"]) == ("done", 10, 10, 0)
    emails = customer_emails(api, owner)
    assert sorted(emails) == sorted(f"person{number}@example.com" for number in range(10))
    publish_outbox()
    assert len(published_events("customer.created")) == 10
    finished = published_events("job.finished")
    assert [event["detail"]["data"]["job"]["id"] for event in finished] == [job_id]
    assert finished[0]["detail"]["data"]["job"]["created"] == 10


def test_a_cancel_in_the_middle_stops_the_rest(api: Api, seeded: Runtime) -> None:
    # Given an import of 250 rows in three batches, the first of them done
    owner = api.login(DEMO_OWNER)
    job_id = start_import(api, owner, 250)
    first, *rest = queued_batches()
    assert len(rest) == 2
    assert run_worker(first) == []
    assert job(api, owner, job_id)["processed"] == 100

    # When the job is cancelled, then the other batches come
    cancelled = api.call("POST", f"/v1/jobs/{job_id}/cancel", token=owner)
    assert run_worker(*rest) == []

    # Then no row after the cancel was processed, and a second cancel is refused
    assert cancelled.status == 200 and cancelled.json()["job"]["status"] == "cancelled"
    final = job(api, owner, job_id)
    assert (final["status"], final["processed"], final["created"]) == ("cancelled", 100, 100)
    assert final["finished_at"] is not None
    assert len(customer_emails(api, owner)) == 100
    again = api.call("POST", f"/v1/jobs/{job_id}/cancel", token=owner)
    assert (again.status, again.code) == (409, "job_finished")
    publish_outbox()
    assert [event["detail"]["data"]["job"]["status"] for event in published_events("job.finished")] == ["cancelled"]


def test_a_finished_job_cannot_be_cancelled(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    job_id = start_import(api, owner, 3)
    deliver_queued_work()
    assert job(api, owner, job_id)["status"] == "done"
    reply = api.call("POST", f"/v1/jobs/{job_id}/cancel", token=owner)
    assert (reply.status, reply.code) == (409, "job_finished")


def test_jobs_are_listed_newest_first_page_by_page_and_only_to_their_business(api: Api) -> None:
    # Given three imports in Demo Studio
    owner = api.login(DEMO_OWNER)
    started = [start_import(api, owner, 1, "?dry_run=true") for _ in range(3)]

    # When they are listed two at a time
    first = api.call("GET", "/v1/jobs?limit=2", token=owner).json()
    second = api.call("GET", f"/v1/jobs?limit=2&cursor={first['next_cursor']}", token=owner).json()

    # Then newest first, and another business sees none of them
    assert [item["id"] for item in first["items"] + second["items"]] == started[::-1]
    assert second["next_cursor"] is None
    assert first["items"][0]["created_by"]["realm"] == "staff"
    clinic = api.login(CLINIC_OWNER)
    assert api.call("GET", "/v1/jobs", token=clinic).json()["items"] == []
    assert api.call("GET", f"/v1/jobs/{started[0]}", token=clinic).status == 404
    assert api.call("GET", f"/v1/jobs/{started[0]}/errors", token=clinic).status == 404
    assert api.call("GET", f"/v1/jobs?cursor={first['next_cursor']}", token=clinic).code == "cursor_invalid"


def test_errors_are_paged_in_row_order(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    rows = [{"email": f"bad{number}", "first_name": "B", "last_name": "R"} for number in range(12)]
    reply = api.call("POST", "/v1/customers/imports", {"rows": rows}, token=owner)
    job_id = reply.json()["job"]["id"]
    deliver_queued_work()
    seen, cursor = [], ""
    while True:
        page = api.call("GET", f"/v1/jobs/{job_id}/errors?limit=5{cursor}", token=owner).json()
        seen += [item["row"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == list(range(2, 14))
    assert job(api, owner, job_id)["failed"] == 12
