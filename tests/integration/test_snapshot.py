"""SnapStart's hooks (handover/snapshot.py), called as Lambda calls them around a snapshot."""

from __future__ import annotations

from typing import Any

import pytest
from handover import priming, snapshot
from handover.runtime import runtime
from moto.core.models import botocore_stubber

from local.lambdas import load
from local.template import functions
from tests.conftest import DEMO_OWNER, invoke, sample_event


def _sent_calls(answered_here: bool = False) -> list[str]:
    """Every AWS call the runtime's clients make from now on that AWS (here moto) answers, by its
    operation; with `answered_here`, those priming answers in the process instead."""
    sent: list[str] = []

    def record(model: Any, http_response: Any, **_: Any) -> None:
        if (priming.ANSWERED_HEADER in http_response.headers) == answered_here:
            sent.append(model.name)

    emitters = [runtime().session.get_component("event_emitter"), *(client.meta.events for client in runtime().clients)]
    for emitter in emitters:
        emitter.register("after-call", record)
    return sent


def _routes_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Priming without its last step, which calls every operation of each client: what the
    synthetic requests themselves reach."""
    monkeypatch.setattr(priming, "rehearse_operations", lambda client: [])


def _hooks_of(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The function's module, imported afresh (`load` keeps the first import): its hooks, as it
    registers them, are the only ones."""
    monkeypatch.setattr(snapshot, "_BEFORE", [])
    monkeypatch.setattr(snapshot, "_AFTER", [])
    return load.__wrapped__(next(function for function in functions() if function.name == name))


def test_before_the_snapshot_a_function_builds_its_clients_and_loads_the_key(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the hooks of a function whose routes verify tokens and read customers
    _hooks_of("get_customer", monkeypatch)
    sent = _sent_calls()
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then its clients exist, the token key's public half (from the environment) is loaded, and
    # priming every route sent nothing
    assert sorted(client.meta.service_model.service_name for client in runtime().clients) == \
        ["dynamodb", "kms", "sesv2"]
    assert sent == []
    assert runtime().signer._public_key is not None
    # And every operation of every client had its request and reply shapes resolved offline, as its
    # first call would otherwise do
    for client in runtime().clients:
        model = client.meta.service_model
        unresolved = [name for name in model.operation_names
                      if not {"input_shape", "output_shape"} <= vars(model.operation_model(name)).keys()]
        assert unresolved == [], model.service_name
    # And every client's exception classes are made, as its first error would otherwise make them
    assert all(client._exceptions is not None for client in runtime().clients)


def test_priming_answers_every_aws_call_itself_and_leaves_no_metrics(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the claim function, whose link read reads DynamoDB, and its sample body
    module = _hooks_of("claim", monkeypatch)
    _routes_alone(monkeypatch)
    sent, answered = _sent_calls(), _sent_calls(answered_here=True)
    module.metrics.add_metric(name="Claims", unit="Count", value=1)
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then the synthetic requests went through validation to the route's read of the link, which
    # priming answered itself; nothing reached AWS, and no metric is left to publish
    assert sent == []
    assert "GetItem" in answered
    assert module.metrics.metric_set == {}


def test_priming_authenticates_a_token_of_each_realm_to_the_read_of_its_principal(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch, api: Any) -> None:
    # Given a function whose route needs a token (and an owner signed in before: the login function
    # registers hooks of its own as it loads)
    owner = api.login(DEMO_OWNER)
    _hooks_of("get_customer", monkeypatch)
    _routes_alone(monkeypatch)
    sent, answered = _sent_calls(), _sent_calls(answered_here=True)
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then priming's tokens (signed by a key trusted only meanwhile) reached each realm's read of
    # its principal: a customer's and an operator's GetItem, a staff member's BatchGetItem
    assert sent == []
    assert sorted(set(answered)) == ["BatchGetItem", "GetItem"]
    # And afterwards the service's own key verifies tokens again
    assert "public_key" not in vars(runtime().signer)
    assert api.call("GET", "/v1/customers/nobody", token=owner).status == 404


def test_a_worker_rehearses_with_a_synthetic_event(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the import worker, whose rehearsal is a batch of an import nobody started
    _hooks_of("import_worker", monkeypatch)
    _routes_alone(monkeypatch)
    sent, answered = _sent_calls(), _sent_calls(answered_here=True)
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then the batch reached its read of the job, which priming answered itself
    assert sent == []
    assert answered == ["GetItem"]


def test_the_cleanup_rehearses_a_run(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the daily cleanup, whose schedule's event says nothing it reads
    _hooks_of("cleanup", monkeypatch)
    _routes_alone(monkeypatch)
    sent, answered = _sent_calls(), _sent_calls(answered_here=True)
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then a run read the marks, each expiry day's shards and the businesses to settle, and marked
    # its tables swept, all answered by priming itself
    assert sent == []
    assert set(answered) == {"Query", "PutItem"}, answered


def test_priming_last_calls_every_operation_of_each_client_answered_here(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function whose clients are DynamoDB's, KMS's, S3's and SQS's
    _hooks_of("import_uploads", monkeypatch)
    answered: set[tuple[str, str]] = set()
    failed: dict[str, list[str]] = {}
    rehearse = priming.rehearse_operations

    def recorded(client: Any) -> list[str]:
        service = client.meta.service_model.service_name
        client.meta.events.register("after-call", lambda model, **_: answered.add((service, model.name)))
        # As in Lambda, no moto in the process: botocore runs every before-send handler, and moto's
        # (which would also serve each call, and raise on those it does not implement) is not one;
        # a call not answered here would go to AWS's own endpoint and fail.
        with monkeypatch.context() as aside:
            aside.setattr(botocore_stubber, "enabled", False)
            failed[service] = rehearse(client)
        return failed[service]

    monkeypatch.setattr(priming, "rehearse_operations", recorded)
    sent = _sent_calls()
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then every operation of every client went through the SDK once with parameters its
    # validation passed, and was answered in the process; only S3's GetBucketLocation could not
    # read its made-up (empty) reply
    assert sent == []
    assert sorted(failed) == ["dynamodb", "kms", "s3", "sqs"]
    assert failed == {"dynamodb": [], "kms": [], "s3": ["GetBucketLocation"], "sqs": []}
    for client in runtime().clients:
        model = client.meta.service_model
        missed = {name for name in model.operation_names if (model.service_name, name) not in answered}
        assert missed == set(failed[model.service_name]), model.service_name


def test_a_client_made_while_priming_sends_its_calls_afterwards(aws: dict[str, str]) -> None:
    # Given a client made while priming answered every call in the process
    with priming.answered_here(runtime()):
        client = runtime().client("dynamodb")
    sent = _sent_calls()
    # When it is called afterwards
    client.list_tables()
    # Then the call went to AWS: the answer it copied from the session was taken back too
    assert sent == ["ListTables"]


def test_after_a_restore_requests_are_served_on_new_connections(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a claim function restored from its snapshot
    _hooks_of("claim", monkeypatch)
    snapshot.run_before_snapshot()
    # When it is restored and a customer opens a link that does not exist
    snapshot.run_after_restore()
    response = invoke("claim", sample_event("read_link", link_token="no-such-link"))
    # Then the link read answered as without SnapStart
    assert response["statusCode"] == 410


@pytest.mark.parametrize("name", [function.name for function in functions()])
def test_every_function_prepares_for_the_snapshot_without_sending_anything(
        name: str, aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function's hooks as it registers them (its routes' sample bodies, its rehearsal)
    _hooks_of(name, monkeypatch)
    sent = _sent_calls()
    # When Lambda takes the snapshot, it completes (a rehearsal that fails fails the publication)
    snapshot.run_before_snapshot()
    # And every AWS call its priming made was answered in the process
    assert sent == []


def test_every_function_registers_its_snapshot_hooks() -> None:
    # A function without them would start from nothing after every restore
    missing = [function.name for function in functions()
               if "snapshot.prepare(" not in (function.code_dir / "app.py").read_text(encoding="utf-8")]
    assert missing == []


def test_before_the_snapshot_the_directory_builds_every_store(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from functools import cached_property

    from handover.data.directory import Directory

    # Given the hooks of a function whose requests use a few of the directory's stores, each
    # built (and its module imported) on first use
    _hooks_of("login", monkeypatch)
    stores = [name for name, member in vars(Directory).items() if isinstance(member, cached_property)]
    assert len(stores) >= 10
    assert not set(stores) <= vars(runtime().directory).keys()
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then every store is built, so no first request after a restore imports one
    assert set(stores) <= vars(runtime().directory).keys()


def test_before_the_snapshot_the_hosted_pages_compile_every_template(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from handover.pages.views import templates

    # Given the hosted pages' hooks, and no page compiled yet
    _hooks_of("pages", monkeypatch)
    templates().cache.clear()
    sent = _sent_calls()
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then every page template is compiled, and nothing was asked of AWS
    assert len(templates().cache) == len(templates().list_templates()) > 5
    assert sent == []


def test_before_the_snapshot_a_function_that_sends_mail_compiles_every_email_template(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the reset mailer's hooks, whose resets send mail through a mailer they were built from
    _hooks_of("reset_mailer", monkeypatch)
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then the mailer it was built from has every email template compiled
    templates = runtime().mailer._templates
    assert len(templates.cache) == len(templates.list_templates()) > 0


def test_without_the_public_key_in_its_environment_a_function_fetches_it_from_kms_before_the_snapshot(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function that verifies tokens, deployed without TOKEN_PUBLIC_KEY
    monkeypatch.delenv("TOKEN_PUBLIC_KEY")
    runtime.cache_clear()
    _hooks_of("get_customer", monkeypatch)
    sent = _sent_calls()
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then the public half was fetched from KMS then, not on the first request
    assert sent == ["GetPublicKey"]
    assert runtime().signer._public_key is not None


def test_before_the_snapshot_every_route_has_what_its_request_validation_builds(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function whose routes all need a token, whose principal priming's requests never find,
    # with nothing of their validation built yet (as in a fresh interpreter)
    module = _hooks_of("update_account", monkeypatch)
    routes = [*module.app._static_routes, *module.app._dynamic_routes]
    for route in routes:
        monkeypatch.setattr(route, "_dependant", None)
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then each route's parameters, body and response models are built all the same
    assert all(route._dependant is not None for route in routes)


def test_before_the_snapshot_every_model_is_built(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from handover.models import Model

    # Given a function's hooks, and a model imported but never used (Handover's models are built on
    # first use, not at import)
    _hooks_of("me", monkeypatch)

    class Unused(Model):
        name: str

    assert not Unused.__pydantic_complete__
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then it is built, as every other model imported: a restored function builds none
    assert Unused.__pydantic_complete__


def test_before_the_snapshot_type_checks_are_answered_once_every_module_is_loaded(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import abc
    from _abc import _get_dump  # CPython's view of an abstract class's caches
    from collections.abc import ItemsView, Mapping

    # Given a function whose hooks import Jinja2, which registers classes with Mapping (and so
    # forgets every answer Mapping had given)
    _hooks_of("reset_mailer", monkeypatch)
    # When Lambda takes the snapshot
    snapshot.run_before_snapshot()
    # Then whether a str, a list, an int or a mapping's items are a Mapping is known, and still valid
    _registry, _cache, negative, version = _get_dump(Mapping)
    assert version == abc.get_cache_token()
    assert {str, list, int, ItemsView} <= {kind() for kind in negative}
