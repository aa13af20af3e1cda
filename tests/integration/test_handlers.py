"""Each function's handler fed its events/ sample, as `sam local invoke` or Lambda would."""

from __future__ import annotations

import json

import requests

from tests.conftest import (
    DEMO_OWNER,
    GOOD_PASSWORD,
    OPERATOR,
    Api,
    deliver_queued_work,
    invoke,
    last_link_token,
    sample_event,
)


def test_the_story_through_the_event_samples(api: Api) -> None:
    # Given the login sample (the demo owner's credentials)
    login = invoke("login", sample_event("login"))
    assert login["statusCode"] == 200
    token = json.loads(login["body"])["access_token"]

    # When the create, read and invite samples run with that token
    created = invoke("create_customer", sample_event("create_customer", access_token=token))
    assert created["statusCode"] == 201, created["body"]
    customer_id = json.loads(created["body"])["customer"]["id"]
    read = invoke("get_customer", sample_event("get_customer", access_token=token, customer_id=customer_id))
    assert read["statusCode"] == 200
    invited = invoke("invite", sample_event("invite", access_token=token, customer_id=customer_id))
    assert invited["statusCode"] == 202, invited["body"]

    # Then the emailed link reads, claims, and the customer's token reads /v1/me
    link = last_link_token("jane.doe@example.com")
    described = invoke("claim", sample_event("read_link", link_token=link))
    assert json.loads(described["body"])["kind"] == "invite"
    claimed = invoke("claim", sample_event("claim", link_token=link, body={"token": link, "password": GOOD_PASSWORD}))
    assert claimed["statusCode"] == 200, claimed["body"]
    me = invoke("me", sample_event("me", access_token=json.loads(claimed["body"])["access_token"]))
    assert me["statusCode"] == 200
    assert json.loads(me["body"])["customer"]["status"] == "active"


def test_the_staff_samples(api: Api) -> None:
    # Given the owner's token
    token = Api().login(DEMO_OWNER)

    # When the add and list samples run with it
    added = invoke("manage_staff", sample_event("add_staff", access_token=token))
    listed = invoke("staff", sample_event("list_staff", access_token=token))

    # Then the member was added, invited, and is listed after the owner and the front desk
    assert added["statusCode"] == 201, added["body"]
    assert json.loads(added["body"])["staff"]["status"] == "invited"
    assert listed["statusCode"] == 200, listed["body"]
    assert [item["email"] for item in json.loads(listed["body"])["items"]] == [
        "owner@demo.example", "frontdesk@demo.example", "casey.clerk@demo.example"]


def test_jwks_and_docs_samples(api: Api) -> None:
    # When the public documents are asked for
    jwks = invoke("jwks", sample_event("jwks"))
    openapi = invoke("docs", sample_event("openapi"))
    docs = invoke("docs", sample_event("docs"))

    # Then the key verifies tokens by kid, and the OpenAPI document lists every routed path
    key = json.loads(jwks["body"])["keys"][0]
    assert (key["kty"], key["crv"], key["alg"]) == ("EC", "P-256", "ES256")
    token = Api().login(DEMO_OWNER)
    assert json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[0] + "=="))["kid"] == key["kid"]
    paths = json.loads(openapi["body"])["paths"]
    assert {"/v1/auth/login", "/v1/auth/claim", "/v1/auth/links/{token}", "/v1/customers", "/v1/customers/{id}",
            "/v1/customers/{id}/invite", "/v1/me", "/.well-known/jwks.json"} <= set(paths)
    assert docs["statusCode"] == 200 and "swagger" in docs["body"].lower()


def test_the_operator_portal_samples(api: Api) -> None:
    # Given an operator's token and Demo Studio's id in the samples
    operator = api.login(OPERATOR)
    filled = {"access_token": operator, "account_id": api.account_id("demo")}

    # When the activity, setup-complete, operators and client account samples run
    activity = invoke("activity", sample_event("activity", **filled))
    completed = invoke("setup_complete", sample_event("setup_complete", **filled))
    listed = invoke("operators", sample_event("operators", **filled))
    opened = invoke("open_account", sample_event("open_account", **filled))
    roll = invoke("client_accounts", sample_event("client_accounts", **filled))
    updated = invoke("update_account", sample_event("update_account", **filled))

    # Then each answers as the contract says
    assert activity["statusCode"] == 200 and len(json.loads(activity["body"])["months"]) == 3
    assert completed["statusCode"] == 200 and json.loads(completed["body"])["account"]["in_setup"] is False
    assert listed["statusCode"] == 200 and len(json.loads(listed["body"])["items"]) == 2
    assert opened["statusCode"] == 201 and json.loads(opened["body"])["account"]["nickname"] == "sample-studio"
    assert roll["statusCode"] == 200 and json.loads(roll["body"])["counts"]["new"] == 3
    assert updated["statusCode"] == 200 and json.loads(updated["body"])["account"]["tags"] == ["sample"]


def test_the_import_and_job_samples(api: Api) -> None:
    # Given the owner's token
    token = api.login(DEMO_OWNER)
    account_id = api.account_id("demo")

    # When the inline import sample runs, and the worker sample with its job's rows
    started = invoke("imports", sample_event("imports", access_token=token))
    assert started["statusCode"] == 202, started["body"]
    job_id = json.loads(started["body"])["job"]["id"]
    worked = invoke("import_worker", sample_event("import_worker", account_id=account_id, job_id=job_id))

    # Then both rows are created once (the queued batch, delivered after, applies nothing twice)
    assert worked == {"batchItemFailures": []}
    deliver_queued_work()
    listed = invoke("jobs", sample_event("jobs", access_token=token))
    assert listed["statusCode"] == 200, listed["body"]
    job = json.loads(listed["body"])["items"][0]
    assert (job["id"], job["status"], job["created"], job["processed"]) == (job_id, "done", 2, 2)

    # And the upload sample answers a URL; a file PUT there is planned by the planner's S3 sample
    uploaded = invoke("import_uploads", sample_event("import_uploads", access_token=token))
    assert uploaded["statusCode"] == 201, uploaded["body"]
    answer = json.loads(uploaded["body"])
    assert requests.put(answer["upload"]["url"], data=b"email\nann@example.com\n", timeout=10).status_code == 200
    planned = invoke("import_planner", sample_event("import_planner", account_id=account_id,
                                                    job_id=answer["job"]["id"]))
    assert planned == {"outcomes": ["planned"]}
