"""An import through an upload URL on the dev server: the file PUT to the URL as `curl -T` would,
the dev server noticing it as S3's event would, and the job worked off to `done`."""

from __future__ import annotations

import urllib.request
import uuid

import pytest

from tests.e2e.conftest import Http, finished

pytestmark = pytest.mark.e2e

OWNER = {"realm": "staff", "account": "demo", "email": "owner@demo.example", "password": "Owner-Passw0rd!"}


def test_a_file_put_to_the_upload_url_is_imported(dev_server: Http) -> None:
    # Given an upload URL and a file of 50 rows, one of them bad
    owner = dev_server.call("POST", "/v1/auth/login", OWNER).json()["access_token"]
    reply = dev_server.call("POST", "/v1/customers/imports/uploads", {}, token=owner)
    assert reply.status == 201, reply.body
    answer = reply.json()
    tag = uuid.uuid4().hex[:8]
    lines = ["email,first_name,last_name"] + [f"up-{tag}-{n}@example.com,Up,Load {n}" for n in range(49)]
    content = ("\n".join([*lines, "not-an-email,Bad,Row"]) + "\n").encode()

    # When it is PUT to the URL, as `curl -T file.csv <url>` does
    request = urllib.request.Request(answer["upload"]["url"], data=content, method=answer["upload"]["method"],
                                     headers=answer["upload"]["headers"])
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200

    # Then the dev server plans it and the workers import it
    job = finished(dev_server, owner, answer["job"]["id"])
    assert (job["status"], job["total"], job["created"], job["failed"]) == ("done", 50, 49, 1), job["error"]
    errors = dev_server.call("GET", f"/v1/jobs/{job['id']}/errors", token=owner).json()["items"]
    assert [(error["row"], error["column"]) for error in errors] == [(51, "email")]
    found = dev_server.call("GET", f"/v1/customers?q=up-{tag}-7@example.com", token=owner).json()["items"]
    assert [customer["email"] for customer in found] == [f"up-{tag}-7@example.com"]


def test_an_uploaded_file_without_an_email_column_fails_its_job(dev_server: Http) -> None:
    owner = dev_server.call("POST", "/v1/auth/login", OWNER).json()["access_token"]
    answer = dev_server.call("POST", "/v1/customers/imports/uploads", {"dry_run": True}, token=owner).json()
    request = urllib.request.Request(answer["upload"]["url"], data=b"name\nAnn\n", method="PUT")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200

    job = finished(dev_server, owner, answer["job"]["id"])
    assert (job["status"], job["dry_run"]) == ("failed", True)
    assert "email" in job["error"]
