"""Access tokens: ES256 JWTs signed through KMS (moto), and the signer's encodings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from handover.errors import SigningUnavailable, Unauthenticated
from handover.identity.sessions import IMPERSONATION_SECONDS, Act, Sessions
from handover.identity.signer import TokenSigner, der_to_raw
from moto import mock_aws

ISSUER = "https://handover.example"
AUDIENCE = "handover-api"
LIFETIME = 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


@pytest.fixture
def kms(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.client("kms", region_name="eu-west-1")


def new_key(kms: Any) -> str:
    return kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]


@pytest.fixture
def key_id(kms: Any) -> str:
    return new_key(kms)


@pytest.fixture
def signer(kms: Any, key_id: str) -> TokenSigner:
    return TokenSigner(kms, key_id)


def make_sessions(signer: TokenSigner, *, issuer: str = ISSUER, audience: str = AUDIENCE,
                  lifetime: int = LIFETIME, clock: Any = time.time) -> Sessions:
    return Sessions(signer, issuer=issuer, audience=audience, lifetime=lifetime, clock=clock)


@pytest.fixture
def sessions(signer: TokenSigner) -> Sessions:
    return make_sessions(signer)


def issue_staff(sessions: Sessions, **changes: Any) -> str:
    fields: dict[str, Any] = {"realm": "staff", "sub": "S1", "acct": "A1", "role": "owner",
                              "perms": ["customers:read", "customers:write", "staff:manage"], "ver": 3}
    fields.update(changes)
    return sessions.issue(**fields).access_token


def valid_claims() -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "S1", "iat": now, "exp": now + 600, "jti": "J1",
            "realm": "staff", "acct": "A1", "role": "owner", "perms": [], "ver": 1}


# Issuing


def test_an_issued_token_verifies_with_plain_pyjwt(signer: TokenSigner, key_id: str) -> None:
    # Given a fixed clock (now)
    now = int(time.time())
    sessions = make_sessions(signer, clock=lambda: now)

    # When a staff token is issued
    issued = sessions.issue(realm="staff", sub="S1", acct="A1", role="staff", perms=["customers:read"], ver=3)

    # Then any ES256 verifier holding the public key accepts it
    claims = jwt.decode(issued.access_token, signer.public_key(), algorithms=["ES256"], audience=AUDIENCE,
                        issuer=ISSUER)
    header = jwt.get_unverified_header(issued.access_token)
    assert header["alg"] == "ES256"
    assert header["kid"] == key_id
    # and it carries the contract's claims
    assert {"iss", "aud", "sub", "iat", "exp", "jti", "realm", "acct", "role", "perms", "ver"} <= claims.keys()
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["sub"] == "S1"
    assert claims["realm"] == "staff"
    assert claims["acct"] == "A1"
    assert claims["role"] == "staff"
    assert claims["perms"] == ["customers:read"]
    assert claims["ver"] == 3
    assert claims["iat"] == now
    assert claims["jti"]
    assert "act" not in claims
    # and it lives for the configured lifetime
    assert claims["exp"] - claims["iat"] == LIFETIME
    assert issued.expires_in == LIFETIME
    assert issued.token_type == "Bearer"


def test_each_token_has_its_own_jti(sessions: Sessions) -> None:
    # When two tokens are issued for the same principal
    first = jwt.decode(issue_staff(sessions), options={"verify_signature": False})
    second = jwt.decode(issue_staff(sessions), options={"verify_signature": False})

    # Then their ids differ
    assert first["jti"] != second["jti"]


def test_an_operator_token_has_no_acct(sessions: Sessions) -> None:
    # When an operator token is issued
    token = sessions.issue(realm="operator", sub="O1", acct=None, role="operator", perms=[], ver=1,
                           secure=True).access_token

    # Then acct is absent and secure is carried
    claims = sessions.decode(token)
    assert claims.acct is None
    assert claims.secure is True
    assert "acct" not in jwt.decode(token, options={"verify_signature": False})


def test_an_impersonation_token_carries_act_and_lives_15_minutes_at_most(signer: TokenSigner) -> None:
    # Given sessions configured for one-hour tokens
    sessions = make_sessions(signer, lifetime=3600)

    # When a login-as token is issued
    issued = sessions.issue(realm="staff", sub="S1", acct="A1", role="owner", perms=[], ver=1,
                            act=Act(sub="O1"))

    # Then it names the operator and lives 900 s
    claims = jwt.decode(issued.access_token, signer.public_key(), algorithms=["ES256"], audience=AUDIENCE,
                        issuer=ISSUER)
    assert claims["act"] == {"sub": "O1", "realm": "operator"}
    assert claims["exp"] - claims["iat"] == IMPERSONATION_SECONDS == 900
    assert issued.expires_in == 900


def test_a_shorter_lifetime_is_kept_for_impersonation(signer: TokenSigner) -> None:
    # Given sessions configured for 10-minute tokens
    sessions = make_sessions(signer, lifetime=600)

    # When a login-as token is issued
    issued = sessions.issue(realm="staff", sub="S1", acct="A1", role="owner", perms=[], ver=1,
                            act=Act(sub="O1"))

    # Then the shorter lifetime applies
    claims = jwt.decode(issued.access_token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 600


# Decoding


def test_decode_returns_the_claims_of_a_good_token(sessions: Sessions) -> None:
    # Given an issued impersonation token
    token = issue_staff(sessions, act=Act(sub="O1"))

    # When it is decoded
    claims = sessions.decode(token)

    # Then the claims come back
    assert (claims.sub, claims.realm, claims.acct, claims.role, claims.ver) == ("S1", "staff", "A1", "owner", 3)
    assert claims.act is not None
    assert claims.act.sub == "O1"


def hand_signed(signer: TokenSigner, header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    return f"{signing_input}.{b64url(signer.sign(signing_input.encode()))}"


def test_decode_accepts_a_hand_built_es256_token(sessions: Sessions, signer: TokenSigner, key_id: str) -> None:
    # Given a token built by hand from the same claims the forged tokens below use, but signed ES256 by our key
    token = hand_signed(signer, {"alg": "ES256", "typ": "JWT", "kid": key_id}, valid_claims())

    # When it is decoded
    claims = sessions.decode(token)

    # Then it is accepted (so the refusals below are about the algorithm or signature alone)
    assert claims.sub == "S1"


def test_decode_refuses_alg_none(sessions: Sessions, key_id: str) -> None:
    # Given an unsigned token (alg none) with otherwise valid claims and our kid
    token = f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': key_id})}.{segment(valid_claims())}."

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


def test_decode_refuses_hs256_keyed_with_the_public_key(sessions: Sessions, signer: TokenSigner,
                                                         key_id: str) -> None:
    # Given an HS256 token whose HMAC secret is the public key's PEM (algorithm confusion)
    pem = signer.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': key_id})}.{segment(valid_claims())}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(mac)}"

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


def test_decode_refuses_a_tampered_payload(sessions: Sessions) -> None:
    # Given a genuine staff token whose payload is edited to raise the role, signature kept
    header, payload, signature = issue_staff(sessions, role="staff", perms=["customers:read"]).split(".")
    claims = json.loads(b64url_decode(payload))
    claims["perms"] = ["customers:read", "customers:write", "staff:manage"]
    token = f"{header}.{segment(claims)}.{signature}"

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


def test_decode_refuses_a_wrong_audience(signer: TokenSigner, sessions: Sessions) -> None:
    # Given a token signed with our key for another audience
    token = issue_staff(make_sessions(signer, audience="another-api"))

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


def test_decode_refuses_a_wrong_issuer(signer: TokenSigner, sessions: Sessions) -> None:
    # Given a token signed with our key by another issuer name
    token = issue_staff(make_sessions(signer, issuer="https://elsewhere.example"))

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


def test_decode_refuses_an_expired_token(signer: TokenSigner, sessions: Sessions) -> None:
    # Given a one-hour token issued two hours ago
    two_hours_ago = time.time() - 2 * 3600
    token = issue_staff(make_sessions(signer, clock=lambda: two_hours_ago))

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


def test_decode_refuses_a_token_from_another_key(kms: Any, sessions: Sessions) -> None:
    # Given a token signed by another KMS key, with that key's kid
    token = issue_staff(make_sessions(TokenSigner(kms, new_key(kms))))

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


def test_decode_refuses_another_keys_signature_under_our_kid(kms: Any, key_id: str, sessions: Sessions) -> None:
    # Given a token signed by another key but claiming our kid
    impostor = TokenSigner(kms, new_key(kms))
    token = issue_staff(make_sessions(impostor))
    claims = json.loads(b64url_decode(token.split(".")[1]))
    token = hand_signed(impostor, {"alg": "ES256", "typ": "JWT", "kid": key_id}, claims)

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


@pytest.mark.parametrize("garbage", ["", "garbage", "a.b.c", "...", "eyJhbGciOiJFUzI1NiJ9.e30.", "Bearer x.y.z"])
def test_decode_refuses_garbage(sessions: Sessions, garbage: str) -> None:
    # When / Then anything that is not a token is refused as unauthenticated
    with pytest.raises(Unauthenticated):
        sessions.decode(garbage)


def test_decode_refuses_a_signed_token_missing_contract_claims(sessions: Sessions, signer: TokenSigner,
                                                               key_id: str) -> None:
    # Given a correctly signed token whose claims lack ver, realm and role
    claims = valid_claims()
    for name in ("ver", "realm", "role"):
        del claims[name]
    token = hand_signed(signer, {"alg": "ES256", "typ": "JWT", "kid": key_id}, claims)

    # When / Then it is refused
    with pytest.raises(Unauthenticated):
        sessions.decode(token)


# The signer


def test_der_to_raw_gives_64_bytes_of_r_and_s_padded_to_32() -> None:
    # Given a DER signature with small r and s (which DER encodes in one byte each)
    der = encode_dss_signature(1, 2)

    # When converted
    raw = der_to_raw(der)

    # Then r and s are big-endian, left-padded to 32 bytes each
    assert raw == (1).to_bytes(32, "big") + (2).to_bytes(32, "big")


def test_der_to_raw_round_trips_a_real_signature() -> None:
    # Given a real P-256 DER signature
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.sign(b"message", ec.ECDSA(hashes.SHA256()))

    # When converted to raw and back
    raw = der_to_raw(der)
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")

    # Then it is 64 bytes and still verifies
    assert len(raw) == 64
    key.public_key().verify(encode_dss_signature(r, s), b"message", ec.ECDSA(hashes.SHA256()))


def test_sign_returns_a_raw_64_byte_signature_that_verifies(signer: TokenSigner) -> None:
    # When a message is signed through KMS
    raw = signer.sign(b"header.payload")

    # Then it is the raw 64-byte r||s form, valid under the KMS public key
    assert len(raw) == 64
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    signer.public_key().verify(encode_dss_signature(r, s), b"header.payload", ec.ECDSA(hashes.SHA256()))


def test_jwk_describes_the_public_key(signer: TokenSigner, key_id: str) -> None:
    # When the public key is exported as a JWK
    jwk = signer.jwk()

    # Then it is a P-256 EC key with our kid and 32-byte coordinates
    assert jwk["kty"] == "EC"
    assert jwk["crv"] == "P-256"
    assert jwk["kid"] == key_id
    assert jwk["alg"] == "ES256"
    assert jwk["use"] == "sig"
    for coordinate in ("x", "y"):
        assert "=" not in jwk[coordinate]
        assert len(b64url_decode(jwk[coordinate])) == 32
    numbers = signer.public_key().public_numbers()
    assert int.from_bytes(b64url_decode(jwk["x"]), "big") == numbers.x
    assert int.from_bytes(b64url_decode(jwk["y"]), "big") == numbers.y


def test_a_token_verifies_with_the_published_jwk(sessions: Sessions, signer: TokenSigner) -> None:
    # Given the JWKS entry a client would fetch
    public_key = jwt.PyJWK(signer.jwk())

    # When a token is verified with it
    claims = jwt.decode(issue_staff(sessions), public_key, algorithms=["ES256"], audience=AUDIENCE, issuer=ISSUER)

    # Then it is accepted
    assert claims["sub"] == "S1"


def test_the_public_key_is_fetched_once(kms: Any, key_id: str) -> None:
    # Given a signer over an observed KMS client
    spy = mock.Mock(wraps=kms)
    signer = TokenSigner(spy, key_id)

    # When the public key is used several times
    first = signer.public_key()
    signer.jwk()
    second = signer.public_key()

    # Then KMS was asked once
    assert first is second
    assert spy.get_public_key.call_count == 1


def test_a_public_key_that_came_with_the_environment_verifies_without_kms(kms: Any, key_id: str) -> None:
    # Given a signer given the key's public half (TOKEN_PUBLIC_KEY), over an observed KMS client
    known = base64.b64encode(kms.get_public_key(KeyId=key_id)["PublicKey"]).decode("ascii")
    spy = mock.Mock(wraps=kms)
    verifier = TokenSigner(spy, key_id, known)
    token = issue_staff(make_sessions(TokenSigner(kms, key_id)))

    # When a token signed by the key is verified and the JWK read
    claims = make_sessions(verifier).decode(token)
    jwk = verifier.jwk()

    # Then both came from the given key, and KMS was never asked
    assert claims.sub == "S1"
    assert jwk == TokenSigner(kms, key_id).jwk()
    assert spy.mock_calls == []


def kms_error(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "KMSInternalException", "Message": "boom"}}, operation)


def test_a_kms_signing_failure_is_signing_unavailable(kms: Any, sessions: Sessions) -> None:
    # Given KMS failing to sign
    # When a token is issued
    # Then the failure is the retryable 503 signing_unavailable
    with mock.patch.object(kms, "sign", side_effect=kms_error("Sign")), pytest.raises(SigningUnavailable) as caught:
        issue_staff(sessions)
    assert caught.value.status == 503
    assert caught.value.code == "signing_unavailable"


def test_a_kms_public_key_failure_is_signing_unavailable(kms: Any, key_id: str) -> None:
    # Given KMS failing to hand out the public key
    signer = TokenSigner(kms, key_id)
    # When the JWK is requested
    # Then the failure is signing_unavailable
    with (
        mock.patch.object(kms, "get_public_key", side_effect=kms_error("GetPublicKey")),
        pytest.raises(SigningUnavailable),
    ):
        signer.jwk()
