"""Imports (POST /v1/customers/imports): the file's shape, each row checked as a single create,
repeats in a file, existing emails, dry runs, and the imported customers in the directory."""

from __future__ import annotations

from typing import Any

from handover.runtime import Runtime

from tests.conftest import (
    DEMO_OWNER,
    Api,
    add_booking,
    deliver_queued_work,
    publish_outbox,
    published_events,
    sent_emails,
)

PATH = "/v1/customers/imports"
CSV = {"content-type": "text/csv"}


def imported(api: Api, token: str, body: bytes | dict[str, Any], query: str = "") -> dict[str, Any]:
    """Start an import, let the worker run, and read the job back."""
    raw = body if isinstance(body, bytes) else None
    reply = api.call("POST", PATH + query, None if raw else body, raw=raw, token=token,
                     headers=CSV if raw else None)
    assert reply.status == 202, reply.body
    deliver_queued_work()
    job = api.call("GET", f"/v1/jobs/{reply.json()['job']['id']}", token=token)
    assert job.status == 200, job.body
    result: dict[str, Any] = job.json()["job"]
    return result


def errors_of(api: Api, token: str, job_id: str) -> list[dict[str, Any]]:
    reply = api.call("GET", f"/v1/jobs/{job_id}/errors?limit=100", token=token)
    assert reply.status == 200, reply.body
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def names(api: Api, token: str, q: str = "") -> list[str]:
    reply = api.call("GET", f"/v1/customers?limit=100&q={q}", token=token)
    return [customer["email"] for customer in reply.json()["items"]]


def test_a_csv_with_a_bom_and_quoting_imports_every_row_searchably_and_sends_no_email(api: Api) -> None:
    # Given a CSV with a byte-order mark, a quoted comma and a quoted line break
    owner = api.login(DEMO_OWNER)
    csv = ('\ufeffemail,first_name,last_name,phone\r\n'
           'ann@example.com,Ann,"Smith, Jr.",+44 1\r\n'
           'bob@example.com,"Bob",Jones,\r\n'
           'cat@example.com,Cat,"Mc\r\nCoy",\r\n'
           'dan@example.com,Dan,"O""Neil",\r\n').encode()

    # When it is imported
    job = imported(api, owner, csv)

    # Then each record is one row (a name with a line break is refused, as a single create refuses it),
    # the counts are exact, and the customers are in the directory
    assert (job["status"], job["total"], job["processed"], job["created"], job["failed"]) == ("done", 4, 4, 3, 1)
    assert [(e["row"], e["column"]) for e in errors_of(api, owner, job["id"])] == [(4, "last_name")]
    assert job["processed"] == sum(job[name] for name in ("created", "updated", "skipped", "sent", "failed"))
    assert names(api, owner, "smith") == ["ann@example.com"]
    assert sorted(names(api, owner)) == ["ann@example.com", "bob@example.com", "dan@example.com"]
    assert api.call("GET", "/v1/customers?q=dan", token=owner).json()["items"][0]["last_name"] == 'O"Neil'
    found = api.call("GET", "/v1/customers?q=ann", token=owner).json()["items"][0]
    assert (found["last_name"], found["phone"], found["status"]) == ("Smith, Jr.", "+44 1", "unclaimed")
    assert sent_emails() == []


def test_the_file_s_shape_is_checked_before_anything_is_queued(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    cases = {
        "no email column": b"first_name,last_name\nAnn,Smith\n",
        "no header row": b"",
        "not UTF-8": "email,first_name,last_name\nzoë@example.com,Zoë,Brontë\n".encode("latin-1"),
    }
    for case, body in cases.items():
        reply = api.call("POST", PATH, raw=body, token=owner, headers=CSV)
        assert (reply.status, reply.code) == (400, "csv_invalid"), case
    assert api.call("GET", "/v1/jobs", token=owner).json()["items"] == []


def test_a_body_over_5_mb_is_refused_with_413(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    body = b"email,first_name,last_name\n" + b"x@example.com,A,B\n" * (6 * 1024 * 1024 // 18)
    reply = api.call("POST", PATH, raw=body, token=owner, headers=CSV)
    assert reply.status == 413


def test_rows_are_checked_as_a_single_create_and_errors_are_read_by_row(api: Api) -> None:
    # Given custom fields on the business, and JSON rows: good, bad, a repeat and bad custom fields
    owner = api.login(DEMO_OWNER)
    assert api.call("PUT", "/v1/settings/custom-fields", {"fields": [
        {"key": "member_no", "label": "Member", "type": "string", "choices": None, "required": True,
         "customer_editable": False},
        {"key": "height_cm", "label": "Height", "type": "number", "choices": None, "required": False,
         "customer_editable": False}]}, token=owner).status == 200
    rows = [
        {"email": "ann@example.com", "first_name": "Ann", "last_name": "Smith", "custom_fields": {"member_no": "1"}},
        {"email": "not-an-email", "first_name": "Bad", "last_name": "Email", "custom_fields": {"member_no": "2"}},
        {"email": "ANN@example.com", "first_name": "Ann", "last_name": "Again", "custom_fields": {"member_no": "3"}},
        {"email": "bob@example.com", "first_name": "Bob", "last_name": "Jones"},
        {"email": "cat@example.com", "last_name": "NoFirst", "custom_fields": {"member_no": "4"}},
    ]

    # When they are imported
    job = imported(api, owner, {"rows": rows})

    # Then only the good row is created; each bad row has its error, in row order
    assert (job["created"], job["failed"], job["processed"], job["status"]) == (1, 4, 5, "done")
    errors = errors_of(api, owner, job["id"])
    assert [(error["row"], error.get("column"), error["code"]) for error in errors] == [
        (3, "email", "email_invalid"),
        (4, "email", "duplicate_in_file"),
        (5, "member_no", "validation_error"),
        (6, "first_name", "validation_error"),
    ]
    assert "row 2" in errors[1]["detail"]


def test_csv_cells_of_number_fields_are_read_as_numbers(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    assert api.call("PUT", "/v1/settings/custom-fields", {"fields": [
        {"key": "height_cm", "label": "Height", "type": "number", "choices": None, "required": False,
         "customer_editable": False}]}, token=owner).status == 200
    job = imported(api, owner, b"email,first_name,last_name,height_cm\nann@example.com,Ann,Smith,172\n"
                               b"bob@example.com,Bob,Jones,tall\n")
    assert (job["created"], job["failed"]) == (1, 1)
    assert api.call("GET", "/v1/customers?q=ann", token=owner).json()["items"][0]["custom_fields"] == {
        "height_cm": 172}
    assert [(e["row"], e["column"]) for e in errors_of(api, owner, job["id"])] == [(3, "height_cm")]


def test_an_existing_email_is_skipped(api: Api) -> None:
    # Given a customer that exists
    owner = api.login(DEMO_OWNER)
    api.create_customer(owner, "ann@example.com", first_name="Ann", last_name="Original")

    # When a file names them again
    job = imported(api, owner, b"email,first_name,last_name\nAnn@Example.com,Ann,Changed\nbob@example.com,B,J\n")

    # Then they are skipped, unchanged
    assert (job["created"], job["skipped"], job["processed"]) == (1, 1, 2)
    assert api.call("GET", "/v1/customers?q=ann", token=owner).json()["items"][0]["last_name"] == "Original"


def test_a_dry_run_counts_and_writes_no_customer(api: Api, seeded: Runtime) -> None:
    owner = api.login(DEMO_OWNER)
    api.create_customer(owner, "ann@example.com")
    job = imported(api, owner, b"email,first_name,last_name\nann@example.com,A,B\nbob@example.com,B,J\n"
                               b"bob@example.com,B,J\nbad,x,y\n", "?dry_run=true")
    assert (job["dry_run"], job["created"], job["skipped"], job["failed"], job["status"]) == (True, 1, 1, 2, "done")
    assert names(api, owner) == ["ann@example.com"]


def test_an_empty_file_is_a_job_done_at_once(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    job = imported(api, owner, b"email,first_name,last_name\r\n")
    assert (job["status"], job["total"], job["processed"]) == ("done", 0, 0)


def test_on_existing_update_sets_the_given_fields_and_never_the_status_or_verification(api: Api) -> None:
    # Given a claimed customer (active, verified, with a password) and an unclaimed one
    owner = api.login(DEMO_OWNER)
    claimed, _ = api.claimed_customer(owner, "ann@example.com", first_name="Ann", last_name="Old", phone="+1 1")
    api.create_customer(owner, "bob@example.com", first_name="Bob", last_name="Same")
    emails_before = len(sent_emails())

    # When a file names them with new names (the phone cell empty), as an update
    job = imported(api, owner, b"email,first_name,last_name,phone\nANN@example.com,Annie,New,\n"
                               b"bob@example.com,Bob,Same,\ncat@example.com,Cat,Fresh,\n", "?on_existing=update")

    # Then the changed one is updated (only what the row gives), the unchanged one skipped
    assert (job["updated"], job["skipped"], job["created"], job["processed"]) == (1, 1, 1, 3)
    after = api.customer(owner, claimed["id"])
    assert (after["first_name"], after["last_name"], after["phone"]) == ("Annie", "New", "+1 1")
    assert (after["status"], after["email_verified"], after["email"]) == ("active", True, "ann@example.com")
    assert names(api, owner, "new") == ["ann@example.com"]
    assert len(sent_emails()) == emails_before


def test_a_dry_run_update_counts_and_changes_nothing(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    customer = api.create_customer(owner, "ann@example.com", first_name="Ann", last_name="Old")
    job = imported(api, owner, b"email,first_name,last_name\nann@example.com,Ann,New\n",
                   "?on_existing=update&dry_run=true")
    assert (job["updated"], job["processed"]) == (1, 1)
    assert api.customer(owner, customer["id"])["last_name"] == "Old"


def test_an_imported_customer_takes_earlier_bookings_and_raises_customer_created(api: Api) -> None:
    # Given a booking made with an email nobody holds yet
    owner = api.login(DEMO_OWNER)
    add_booking(api.account_id("demo"), "ann@example.com", "b-1", "2026-11-01T10:00:00Z")

    # When that email is imported
    job = imported(api, owner, {"rows": [{"email": "ann@example.com", "first_name": "Ann", "last_name": "Smith"}]})

    # Then the customer holds the booking, as a single create would, and customer.created is raised
    assert job["created"] == 1
    customer = api.call("GET", "/v1/customers?q=ann", token=owner).json()["items"][0]
    assert customer["booking_count"] == 1
    publish_outbox()
    assert [event["detail"]["data"]["customer"]["email"] for event in published_events("customer.created")] == [
        "ann@example.com"]


def test_an_idempotency_key_repeat_answers_the_first_job_and_queues_nothing_more(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    body = b"email,first_name,last_name\nann@example.com,Ann,Smith\n"
    headers = {**CSV, "idempotency-key": "import-1"}
    first = api.call("POST", PATH, raw=body, token=owner, headers=headers)
    again = api.call("POST", PATH, raw=body, token=owner, headers=headers)
    other = api.call("POST", PATH, raw=body + b"bob@example.com,Bob,Jones\n", token=owner, headers=headers)
    assert (first.status, again.status) == (202, 202)
    assert again.json()["job"]["id"] == first.json()["job"]["id"]
    assert (other.status, other.code) == (422, "idempotency_key_reused")
    assert len(api.call("GET", "/v1/jobs", token=owner).json()["items"]) == 1
    assert deliver_queued_work() == 1


def test_json_rows_must_be_objects(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    reply = api.call("POST", PATH, {"rows": ["ann@example.com"]}, token=owner)
    assert (reply.status, reply.code) == (422, "validation_error")


def test_a_json_body_that_is_not_json_is_400(api: Api) -> None:
    owner = api.login(DEMO_OWNER)
    reply = api.call("POST", PATH, raw=b'{"rows": [', token=owner)
    assert (reply.status, reply.code) == (400, "malformed_request")
