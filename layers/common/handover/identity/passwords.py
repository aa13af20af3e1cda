"""Password hashing: argon2id with OWASP's parameters, one hash per attempt.

Unknown emails are checked against a dummy hash so a login takes as long whether or not the
person exists.
"""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MAX_PASSWORD_LENGTH = 128

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
OWASP_ARGON2 = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


class Passwords:
    def __init__(self, time_cost: int = 2, memory_cost: int = 19 * 1024, parallelism: int = 1) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash("handover-dummy-password")

    def hash(self, password: str) -> str:
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValueError("refusing to hash an over-long password")
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches; an absent hash costs the same time as a real one."""
        if len(password) > MAX_PASSWORD_LENGTH:
            return False
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
