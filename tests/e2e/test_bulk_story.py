"""A business arrives with its customer list, on the dev server: 1,000 rows imported from a CSV
with 10 bad rows, the errors read by row, a second file dry-run, then the unclaimed customers
invited in bulk and one invite claimed."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import Http, finished

pytestmark = pytest.mark.e2e

OPERATOR = {"realm": "operator", "email": "operator@example.com", "password": "Operator-Passw0rd!"}
ROWS = 1000


def csv_line(*cells: str) -> str:
    return ",".join(f'"{cell}"' if any(mark in cell for mark in ',"\n') else cell for cell in cells)


def test_the_bulk_story(dev_server: Http) -> None:
    # Given a new business, and an operator working as its owner (login-as)
    tag = uuid.uuid4().hex[:8]
    operator = dev_server.call("POST", "/v1/auth/login", OPERATOR).json()["access_token"]
    opened = dev_server.call("POST", "/v1/operator/accounts", {
        "name": f"Bulk {tag}", "nickname": f"bulk-{tag}",
        "owner": {"email": f"owner-{tag}@bulk.example", "first_name": "Bo", "last_name": "Bulk"}}, token=operator)
    assert opened.status == 201, opened.body
    owner = dev_server.call("POST", f"/v1/operator/accounts/{opened.json()['account']['id']}/login-as",
                            {"reason": "import the customer list"}, token=operator).json()["access_token"]

    # When it imports a CSV of 1,000 rows (a byte-order mark, quoted commas and newlines), 10 of them bad
    def email(n: int) -> str:
        return f"c{n}-{tag}@bulk.example"

    rows = {n: (email(n), "Cal", f"Row {n}, Jr.") for n in range(ROWS)}
    bad = {
        50: (("not-an-email", "Bad", "Email"), "email", "email_invalid"),
        150: (("two@@bulk.example", "Bad", "Email"), "email", "email_invalid"),
        250: ((f"@{tag}.example", "Bad", "Email"), "email", "email_invalid"),
        350: ((email(0).upper(), "Again", "Zero"), "email", "duplicate_in_file"),
        450: ((email(1), "Again", "One"), "email", "duplicate_in_file"),
        550: ((email(550), "Two\nLines", "Name"), "first_name", "validation_error"),
        650: ((email(650), "Tab\there", "Name"), "first_name", "validation_error"),
        750: ((email(750), "", "NoFirst"), "first_name", "validation_error"),
        850: ((email(850), "Long", "L" * 101), "last_name", "validation_error"),
        950: ((email(950), "Bad", "Phone", "+" * 41), "phone", "validation_error"),
    }
    for n, (cells, _column, _code) in bad.items():
        rows[n] = cells  # type: ignore[assignment]
    content = "\ufeffemail,first_name,last_name,phone\r\n" + "".join(
        csv_line(*rows[n]) + "\r\n" for n in range(ROWS))
    started = dev_server.call("POST", "/v1/customers/imports", raw=content.encode(),
                              headers={"content-type": "text/csv"}, token=owner)
    assert started.status == 202, started.body

    # Then 990 are created and 10 failed, and the errors read by row, page by page, in row order
    job = finished(dev_server, owner, started.json()["job"]["id"])
    assert (job["status"], job["total"], job["processed"], job["created"], job["failed"]) == (
        "done", ROWS, ROWS, ROWS - 10, 10), job
    errors, cursor = [], ""
    while cursor is not None:
        page = dev_server.call("GET", f"/v1/jobs/{job['id']}/errors?limit=4{cursor}", token=owner).json()
        errors += page["items"]
        cursor = f"&cursor={page['next_cursor']}" if page["next_cursor"] else None
    assert [(error["row"], error["column"], error["code"]) for error in errors] == [
        (n + 2, column, code) for n, (_cells, column, code) in sorted(bad.items())]
    found = dev_server.call("GET", f"/v1/customers?q={email(7)}", token=owner).json()["items"]
    assert [(customer["last_name"], customer["status"]) for customer in found] == [("Row 7, Jr.", "unclaimed")]

    # When a second file is dry-run: 10 customers already there, 10 new
    second = "email,first_name,last_name\n" + "".join(f"{email(n)},Dry,Run\n" for n in range(2000, 2010)) + "".join(
        f"{email(n)},Dry,Run\n" for n in range(10, 20))
    dry = dev_server.call("POST", "/v1/customers/imports?dry_run=true", raw=second.encode(),
                          headers={"content-type": "text/csv"}, token=owner)
    assert dry.status == 202, dry.body

    # Then it counts what would happen and writes no customer
    job = finished(dev_server, owner, dry.json()["job"]["id"])
    assert (job["status"], job["dry_run"], job["created"], job["skipped"], job["failed"]) == ("done", True, 10, 10, 0)
    assert dev_server.call("GET", f"/v1/customers?q={email(2000)}", token=owner).json()["items"] == []

    # When the unclaimed customers are invited in bulk
    invites = dev_server.call("POST", "/v1/customers/invites", {"status": "unclaimed"}, token=owner)
    assert invites.status == 202, invites.body

    # Then each gets one invite, and one of them claims their account from it
    job = finished(dev_server, owner, invites.json()["job"]["id"])
    assert (job["status"], job["kind"], job["total"], job["sent"], job["failed"]) == (
        "done", "invite", ROWS - 10, ROWS - 10, 0), job
    sent = dev_server.call("GET", f"/_local/outbox?to={email(7)}").json()
    assert len(sent) == 1
    link = next(url for url in sent[0]["links"] if "token=" in url).split("token=")[1]
    claimed = dev_server.call("POST", "/v1/auth/claim", {"token": link, "password": "Bulk-Claimed-Harbour-7"})
    assert claimed.status == 200, claimed.body
    found = dev_server.call("GET", f"/v1/customers?q={email(7)}", token=owner).json()["items"]
    assert [customer["status"] for customer in found] == ["active"]
