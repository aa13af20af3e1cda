"""The functions' botocore session: models loaded without listing every service botocore knows,
endpoint data cut to the services the functions call."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader
from handover import aws
from handover.runtime import Runtime
from handover.settings import Settings

from local.endpoints import cut

SERVICES = aws.SERVICES
# A region of each partition botocore knows, and regions with endpoints of their own
REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-5", "cn-north-1", "us-gov-west-1", "us-iso-east-1",
           "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", "xx-nowhere-1")


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


def test_the_endpoint_data_is_botocore_s_cut_to_the_services_called() -> None:
    committed = json.loads(aws.ENDPOINTS.read_text(encoding="utf-8"))
    assert committed == cut()  # as the lint step checks: `make endpoints` writes it
    botocore_s = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    assert [partition["partition"] for partition in committed["partitions"]] == [
        partition["partition"] for partition in botocore_s["partitions"]]
    assert {name for partition in committed["partitions"] for name in partition["services"]} == {
        "dynamodb", "email", "events", "kms", "s3", "sqs"}


def test_botocore_s_own_endpoint_data_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given botocore's loader, made to fail on its endpoint data
    def load_data_with_path(self: Loader, name: str) -> object:
        if name == "endpoints":
            raise AssertionError("read botocore's endpoints.json")
        return original(self, name)

    original = Loader.load_data_with_path
    monkeypatch.setattr(Loader, "load_data_with_path", load_data_with_path)
    # When the session makes each client the functions use, Then each is made
    assert all(aws.session().create_client(service, region_name="eu-west-1") for service in SERVICES)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("config", [None, Config(use_fips_endpoint=True), Config(use_dualstack_endpoint=True)],
                         ids=["plain", "fips", "dualstack"])
def test_each_client_goes_where_botocore_s_goes(service: str, config: Config | None) -> None:
    def where(session: botocore.session.Session, region: str) -> object:
        try:
            client = session.create_client(service, region_name=region, config=config,
                                           aws_access_key_id="a", aws_secret_access_key="b")
        except Exception as refused:  # a variant a partition does not offer
            return type(refused).__name__, str(refused)
        signer = client._request_signer
        return (client.meta.endpoint_url, client.meta.region_name, client.meta.partition,
                signer.signing_name, signer.region_name, signer.signature_version)

    cut_data, botocore_s = aws.session(), botocore.session.get_session()
    assert [where(cut_data, region) for region in REGIONS] == [where(botocore_s, region) for region in REGIONS]


def test_with_a_data_path_botocore_s_endpoint_data_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    loader = aws.session().get_component("data_loader")
    _, path = loader.load_data_with_path("endpoints")
    assert path != str(aws.ENDPOINTS) and loader.is_builtin_path(path)


def test_the_runtime_makes_no_client_its_endpoint_data_lacks() -> None:
    with pytest.raises(ValueError, match=r"no client of rds: add it to handover.aws.SERVICES"):
        Runtime(Settings.model_construct()).client("rds")
