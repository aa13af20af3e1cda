"""The botocore session every function's AWS clients come from (boto3 adds nothing the functions
use, and importing it takes 18 ms of a cold start: s3transfer, its resources).

Before loading a service's model, botocore lists every service it knows (some 420 directories
of its data, walked once for the model and once for its endpoint rules) only to name them in the
error for a service it does not know: 15-20 ms of every cold start, for the first client alone.
The session here loads a model directly, and lists the services only when that fails, as
botocore itself proposes to (boto/botocore#3687); an unknown service still raises
UnknownServiceError with the services named.
"""

from __future__ import annotations

import os
from typing import Any

import botocore.session
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader, create_loader, instance_cache


class DirectLoader(Loader):  # type: ignore[misc]  # botocore has no type hints
    """botocore's loader, looking a service's model up by its own directory first."""

    @instance_cache  # type: ignore[untyped-decorator]
    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        try:
            version = api_version or self.determine_latest_version(service_name, type_name)
        except DataNotFoundError:  # not a service of this botocore: botocore's own answer, and its error
            return super().load_service_model(service_name, type_name, api_version)
        model = self.load_data(os.path.join(service_name, version, type_name))
        self._extras_processor.process(model, self._find_extras(service_name, type_name, version))
        return model


def session() -> botocore.session.Session:
    made = botocore.session.get_session()
    searched = create_loader(made.get_config_variable("data_path")).search_paths  # AWS_DATA_PATH's too
    made.register_component("data_loader", DirectLoader(searched, include_default_search_paths=False))
    return made
