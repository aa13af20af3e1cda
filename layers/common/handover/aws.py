"""The botocore session every function's AWS clients come from (boto3 adds nothing the functions
use, and importing it takes 18 ms of a cold start: s3transfer, its resources).

Two things botocore does for a first client cost a cold start more than the client itself:

- Before loading a service's model, it lists every service it knows (some 420 directories of its
  data, walked once for the model and once for its endpoint rules) only to name them in the error
  for a service it does not know: 15-20 ms. The loader here loads a model directly, and lists the
  services only when that fails, as botocore itself proposes to (boto/botocore#3687); an unknown
  service still raises UnknownServiceError with the services named.
- It parses its endpoint data, `endpoints.json`: 1.2 MB, every service in every partition, about
  14 ms here (165 million instructions, 8% of the bench's floor). The loader here serves the same data
  cut to the services Handover calls (`SERVICES`; `endpoints.json` beside this module, 6% of the
  size, written from botocore's by `make endpoints`, which the lint step checks), as botocore's
  own. Each partition's own data (regions, defaults) is whole; handover.runtime makes no client
  of another service. With AWS_DATA_PATH set, botocore's own file is read, as it may have been
  replaced there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import botocore.session
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader, create_loader, instance_cache

# Every service a function makes a client of (handover.runtime refuses any other).
SERVICES = ("dynamodb", "events", "kms", "s3", "sesv2", "sqs")
ENDPOINTS = Path(__file__).with_name("endpoints.json")


class DirectLoader(Loader):  # type: ignore[misc]  # botocore has no type hints
    """botocore's loader, looking a service's model up by its own directory first, and reading
    the endpoint data of `SERVICES` only (from `endpoints`, when given)."""

    def __init__(self, search_paths: list[str], endpoints: Path | None) -> None:
        super().__init__(search_paths, include_default_search_paths=False)
        self._endpoints = endpoints

    @instance_cache  # type: ignore[untyped-decorator]
    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        try:
            version = api_version or self.determine_latest_version(service_name, type_name)
        except DataNotFoundError:  # not a service of this botocore: botocore's own answer, and its error
            return super().load_service_model(service_name, type_name, api_version)
        model = self.load_data(os.path.join(service_name, version, type_name))
        self._extras_processor.process(model, self._find_extras(service_name, type_name, version))
        return model

    @instance_cache  # type: ignore[untyped-decorator]
    def load_data_with_path(self, name: str) -> tuple[Any, str]:
        if name == "endpoints" and self._endpoints is not None:
            return json.loads(self._endpoints.read_bytes()), str(self._endpoints)
        found: tuple[Any, str] = super().load_data_with_path(name)
        return found

    def is_builtin_path(self, path: str) -> bool:
        # The cut endpoint data is botocore's own: the endpoint rules take precedence, as with
        # botocore's file (another file's endpoints would be handed to the rules as given).
        return (self._endpoints is not None and path == str(self._endpoints)) or bool(super().is_builtin_path(path))


def session() -> botocore.session.Session:
    made = botocore.session.get_session()
    data_path = made.get_config_variable("data_path")
    searched = create_loader(data_path).search_paths  # AWS_DATA_PATH's too
    made.register_component("data_loader", DirectLoader(searched, None if data_path else ENDPOINTS))
    return made
