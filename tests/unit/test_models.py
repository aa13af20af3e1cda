"""Every pydantic model of Handover's is built on first use, not at import (handover/models.py)."""

from __future__ import annotations

import importlib
import pkgutil

import handover
from handover.models import Model
from pydantic import BaseModel


def test_every_model_of_the_layer_is_built_on_first_use() -> None:
    # Given every module of the layer, imported
    for module in pkgutil.walk_packages(handover.__path__, "handover."):
        importlib.import_module(module.name)
    # Then each pydantic model defined there derives from Model, which defers building it
    pending: list[type[BaseModel]] = [BaseModel]
    ours: list[type[BaseModel]] = []
    while pending:
        model = pending.pop()
        pending += model.__subclasses__()
        if model.__module__.startswith("handover.") and "[" not in model.__name__:
            ours.append(model)
    assert len(ours) > 50
    assert [model.__qualname__ for model in ours if not issubclass(model, Model)] == []
    assert Model.model_config.get("defer_build") is True
