"""Password hashing: argon2id with OWASP's parameters."""

from __future__ import annotations

from unittest import mock

import pytest
from handover.identity.passwords import Passwords

PASSWORD = "Sunny-Harbour-42"


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return Passwords()


@pytest.fixture(scope="module")
def stored_hash(passwords: Passwords) -> str:
    return passwords.hash(PASSWORD)


def test_hash_is_argon2id_with_owasp_parameters(stored_hash: str) -> None:
    # Given a hash made with the default parameters (fixture)
    # Then it is argon2id, version 19, m=19 MiB, t=2, p=1
    assert stored_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_hashing_twice_gives_different_salted_hashes(passwords: Passwords, stored_hash: str) -> None:
    # When the same password is hashed again
    again = passwords.hash(PASSWORD)

    # Then the hash differs (random salt) but both verify
    assert again != stored_hash
    assert passwords.verify(again, PASSWORD)


def test_verify_accepts_the_right_password(passwords: Passwords, stored_hash: str) -> None:
    # When the right password is checked against its hash
    # Then it matches
    assert passwords.verify(stored_hash, PASSWORD) is True


@pytest.mark.parametrize("attempt", ["Sunny-Harbour-43", "sunny-harbour-42", "", PASSWORD + " "])
def test_verify_refuses_a_wrong_password(passwords: Passwords, stored_hash: str, attempt: str) -> None:
    # When a wrong password is checked
    # Then it does not match
    assert passwords.verify(stored_hash, attempt) is False


def test_verify_refuses_a_malformed_hash(passwords: Passwords) -> None:
    # Given a stored value that is not an argon2 hash
    # When it is checked
    # Then verification fails instead of raising
    assert passwords.verify("not-a-hash", PASSWORD) is False


def test_verify_without_a_hash_is_false_even_for_the_dummy_password(passwords: Passwords) -> None:
    # Given no stored hash (unknown email), and even the dummy hash's own password
    # When verified
    # Then the answer is no
    assert passwords.verify(None, PASSWORD) is False
    assert passwords.verify(None, "handover-dummy-password") is False


def test_verify_without_a_hash_still_runs_a_real_verification() -> None:
    # Given a Passwords whose hasher is observed (but still real)
    passwords = Passwords()
    spy = mock.Mock(wraps=passwords._hasher)
    with mock.patch.object(passwords, "_hasher", spy):
        # When an unknown principal (no hash) is verified
        result = passwords.verify(None, PASSWORD)

    # Then a genuine argon2 verification against a dummy argon2id hash took place
    assert result is False
    spy.verify.assert_called_once()
    dummy_hash, attempted = spy.verify.call_args.args
    assert dummy_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert attempted == PASSWORD


def test_verify_with_an_empty_hash_is_false_even_for_the_dummy_password(passwords: Passwords) -> None:
    # Given a principal whose stored hash is an empty string (no usable password)
    # When the dummy hash's own password is tried
    # Then it must not match
    assert passwords.verify("", "handover-dummy-password") is False


def test_hash_accepts_exactly_128_characters(passwords: Passwords) -> None:
    # Given a password of the maximum length
    password = "x" * 128

    # When it is hashed
    hashed = passwords.hash(password)

    # Then it verifies
    assert passwords.verify(hashed, password) is True


def test_hash_refuses_an_over_long_password(passwords: Passwords) -> None:
    # Given a 129-character password
    # When it is hashed
    # Then hashing is refused
    with pytest.raises(ValueError):
        passwords.hash("x" * 129)


def test_verify_refuses_an_over_long_password_without_hashing(stored_hash: str) -> None:
    # Given a Passwords whose underlying hasher is replaced by a mock that would accept anything
    passwords = Passwords()
    hasher = mock.Mock()
    hasher.verify.return_value = True
    with mock.patch.object(passwords, "_hasher", hasher):
        # When a 1 MB password is verified against a real hash, and against no hash
        with_hash = passwords.verify(stored_hash, "x" * 1_000_000)
        without_hash = passwords.verify(None, "x" * 129)

    # Then both are refused and the hasher was never touched
    assert with_hash is False
    assert without_hash is False
    assert hasher.mock_calls == []


def test_a_hash_with_weaker_parameters_needs_rehash(passwords: Passwords) -> None:
    # Given a hash made with weaker parameters than OWASP's
    weak = Passwords(time_cost=1, memory_cost=8192).hash(PASSWORD)

    # When checked by the default Passwords
    # Then it still verifies, and needs rehashing
    assert passwords.verify(weak, PASSWORD) is True
    assert passwords.needs_rehash(weak) is True


def test_a_current_hash_does_not_need_rehash(passwords: Passwords, stored_hash: str) -> None:
    # Given a hash made with the current parameters
    # When / Then it does not need rehashing
    assert passwords.needs_rehash(stored_hash) is False
