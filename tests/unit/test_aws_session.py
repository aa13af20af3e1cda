"""The functions' botocore session: models loaded without listing every service botocore knows."""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader
from handover import aws

SERVICES = ("dynamodb", "kms", "sesv2", "sqs", "s3", "events")


def _model(session: botocore.session.Session, service: str, type_name: str) -> object:
    return session.get_component("data_loader").load_service_model(service, type_name)


def test_a_client_is_made_without_listing_every_service(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given botocore's walk over every service's directory, made to fail
    def listed(self: Loader, type_name: str) -> list[str]:
        raise AssertionError(f"listed every service for {type_name}")

    monkeypatch.setattr(Loader, "list_available_services", listed)
    # When the session makes each client the functions use
    session = aws.session()
    made = [session.create_client(service, region_name="eu-west-1") for service in SERVICES]
    # Then each is made, with its own model
    assert [client.meta.service_model.service_name for client in made] == list(SERVICES)


@pytest.mark.parametrize("service", [*SERVICES, "rds"])  # rds: a model botocore completes with its extras
@pytest.mark.parametrize("type_name", ["service-2", "endpoint-rule-set-1", "paginators-1"])
def test_models_are_the_ones_botocore_loads(service: str, type_name: str) -> None:
    assert _model(aws.session(), service, type_name) == _model(botocore.session.get_session(), service, type_name)


def test_an_unknown_service_is_refused_as_botocore_refuses_it() -> None:
    with pytest.raises(UnknownServiceError, match=r"Valid service names are: .*dynamodb"):
        aws.session().create_client("handover-no-such-service", region_name="eu-west-1")


def test_the_data_path_is_searched_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    assert aws.session().get_component("data_loader").search_paths[0] == str(tmp_path)
