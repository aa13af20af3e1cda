"""Refresh tokens: opaque to clients, naming their principal so a refresh reads everything at once."""

from __future__ import annotations

import base64

import pytest
from handover.errors import RefreshInvalid
from handover.identity.refresh import compose, parse
from handover.links.tokens import hash_token


@pytest.mark.parametrize(("realm", "account_id"), [("customer", "A1"), ("staff", "A1"), ("operator", None)])
def test_a_composed_token_parses_back_to_its_principal_and_hash(realm: str, account_id: str | None) -> None:
    token = compose("c2VjcmV0", realm, account_id, "P1")  # type: ignore[arg-type]

    presented = parse(token)

    assert (presented.realm, presented.account_id, presented.principal_id) == (realm, account_id, "P1")
    assert presented.token_hash == hash_token(token) and "c2VjcmV0" not in presented.token_hash


def _whose(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("token", [
    "no-dot-at-all", ".", f".{_whose('customer:A1:P1')}", "secret.%%%", f"secret.{_whose('customer:A1')}",
    f"secret.{_whose('admin:A1:P1')}", f"secret.{_whose('operator:A1:P1')}", f"secret.{_whose('staff::P1')}",
    f"secret.{_whose('customer:A1:')}", "secret." + base64.urlsafe_b64encode(b"\xff\xfe").decode(),
])
def test_anything_else_is_refresh_invalid(token: str) -> None:
    with pytest.raises(RefreshInvalid):
        parse(token)
