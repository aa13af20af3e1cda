"""The token signer: the only module that talks to KMS.

The private key never leaves KMS. KMS returns ECDSA signatures in DER; JWS (ES256) wants the
raw 64-byte r‖s, so the signature is converted here.

The public key comes with the function's environment (`TOKEN_PUBLIC_KEY`, which the stack reads
from KMS when it deploys), so a function that only verifies tokens never calls KMS; without it,
it is fetched from KMS once per cold start. Either way it is cached.
"""

from __future__ import annotations

import base64
import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key

from handover.errors import SigningUnavailable


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def der_to_raw(signature: bytes, size: int = 32) -> bytes:
    r, s = decode_dss_signature(signature)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _elliptic_curve_key(der: bytes) -> ec.EllipticCurvePublicKey:
    key = load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TypeError("the token key is not an elliptic-curve key")
    return key


class TokenSigner:
    def __init__(self, kms: Any, key_id: str, public_key: str | None = None) -> None:
        """`public_key`: the key's public half as KMS gives it (DER), base64-encoded, if known."""
        self._kms = kms
        self.key_id = key_id
        self._public_key = _elliptic_curve_key(base64.b64decode(public_key)) if public_key else None
        self._lock = threading.Lock()

    def sign(self, message: bytes) -> bytes:
        """ES256 signature (raw r‖s) of `message`."""
        try:
            response = self._kms.sign(KeyId=self.key_id, Message=message, MessageType="RAW",
                                      SigningAlgorithm="ECDSA_SHA_256")
        except (ClientError, BotoCoreError):
            raise SigningUnavailable() from None
        return der_to_raw(response["Signature"])

    def public_key(self) -> ec.EllipticCurvePublicKey:
        with self._lock:
            if self._public_key is None:
                self._public_key = _elliptic_curve_key(self._fetch_public_key())
            return self._public_key

    def _fetch_public_key(self) -> bytes:
        try:
            return self._kms.get_public_key(KeyId=self.key_id)["PublicKey"]  # type: ignore[no-any-return]
        except (ClientError, BotoCoreError):
            raise SigningUnavailable() from None

    def jwk(self) -> dict[str, str]:
        numbers = self.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
            "use": "sig",
            "alg": "ES256",
            "kid": self.key_id,
        }


class StandInSigner(TokenSigner):
    """Signs with a key pair made for the occasion and held in memory, under the service's key id:
    its tokens pass only where its public half is trusted (SnapStart's priming, for its duration)."""

    def __init__(self, key_id: str) -> None:
        super().__init__(kms=None, key_id=key_id)
        self._private_key = ec.generate_private_key(ec.SECP256R1())

    def sign(self, message: bytes) -> bytes:
        return der_to_raw(self._private_key.sign(message, ec.ECDSA(hashes.SHA256())))

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._private_key.public_key()
