"""The `Idempotency-Key` header: the same key, caller and body within 24 hours returns the first
response and does nothing twice. Backed by Powertools Idempotency on its own table; a request
that fails leaves no record, so a retry with the same key runs again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

from handover.callers import Caller
from handover.errors import IdempotencyInProgress, IdempotencyKeyReused, StorageUnavailable


class Idempotency:
    def __init__(self, store: BasePersistenceLayer) -> None:
        self._store = store

    def once(self, key: str | None, caller: Caller, action: str, body: Any, produce: Callable[[], dict[str, Any]],
             lambda_context: Any = None) -> dict[str, Any]:
        """`produce()`'s result, computed at most once per (caller, action, key). With the Lambda
        context, an invocation that dies mid-way frees its key when its time runs out."""
        if not key:
            return produce()

        def run(request: dict[str, Any]) -> dict[str, Any]:
            return produce()

        config = IdempotencyConfig(event_key_jmespath="key", payload_validation_jmespath="body",
                                   expires_after_seconds=24 * 3600, raise_on_no_idempotency_key=True)
        if lambda_context is not None:
            config.register_lambda_context(lambda_context)
        guarded = idempotent_function(run, data_keyword_argument="request", persistence_store=self._store,
                                      config=config, key_prefix=action)
        try:
            result: dict[str, Any] = guarded(request={"key": [caller.realm, caller.id, key], "body": body})
            return result
        except IdempotencyValidationError:
            raise IdempotencyKeyReused() from None
        except IdempotencyAlreadyInProgressError:
            raise IdempotencyInProgress() from None
        except IdempotencyPersistenceLayerError:
            raise StorageUnavailable() from None
