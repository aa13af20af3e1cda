import time

_STARTED = time.perf_counter()

# Where a function's cold start goes: the pieces a Handover function adds to the baseline, each
# timed in a fresh interpreter in the order a first request meets them (each figure is what the
# step adds after the ones above it; a library that an earlier step already imported costs the
# later one nothing).
#
#     python bench/anatomy.py
#
# Run by bench.coldstart with a function's environment (moto server included), never imported.
# Prints one `STEP <name>|<ms>` line per step ("-" when the step could not run).

import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

_last = _STARTED


def step(name: str, action: Callable[[], Any]) -> Any:
    global _last
    try:
        result = action()
    except Exception as error:  # a step the service no longer has: say so, go on
        print(f"STEP {name}|-|{type(error).__name__}: {error}", flush=True)
        _last = time.perf_counter()
        return None
    now = time.perf_counter()
    print(f"STEP {name}|{(now - _last) * 1000:.3f}|", flush=True)
    _last = now
    return result


def _baseline() -> None:
    import boto3  # noqa: F401
    import jwt  # noqa: F401
    import pydantic  # noqa: F401
    from aws_lambda_powertools import Logger, Metrics, Tracer
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    Logger(), Tracer(), Metrics(), APIGatewayHttpResolver()


def _validation() -> None:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    APIGatewayHttpResolver(enable_validation=True)


def main() -> None:
    sys.path[0:1] = os.environ["BENCH_LAYER"].split(os.pathsep)
    step("baseline libraries (and Logger, Tracer, Metrics, resolver)", _baseline)
    step("Powertools request validation (enable_validation=True)", _validation)
    step("handover.contract (the API's pydantic models)",
         lambda: [__import__(f"handover.contract.{name}") for name in ("common", "auth", "customers", "operators")])
    step("email_validator", lambda: __import__("email_validator"))
    step("jinja2", lambda: __import__("jinja2"))
    step("argon2, cryptography", lambda: (__import__("argon2"), __import__("handover.identity.signer")))
    step("the rest of handover.web and handover.runtime", lambda: __import__("handover.web"))
    from handover import aws

    session = step("botocore session, as the functions make it (handover/aws.py)", aws.session)
    dynamodb = step("DynamoDB client (the first client also loads the endpoint data)",
                    lambda: session.create_client("dynamodb"))
    kms = step("KMS client (where tokens are signed)", lambda: session.create_client("kms"))
    step("SES v2 client", lambda: session.create_client("sesv2"))
    step("SQS client", lambda: session.create_client("sqs"))
    step("KMS GetPublicKey round trip (moto on loopback, first connection; only without TOKEN_PUBLIC_KEY)",
         lambda: kms.get_public_key(KeyId=os.environ["TOKEN_KEY_ID"]))
    step("DynamoDB GetItem round trip (moto on loopback, first connection)",
         lambda: dynamodb.get_item(TableName=os.environ["DIRECTORY_TABLE"],
                                   Key={"pk": {"S": "BENCH"}, "sk": {"S": "ANATOMY"}}))
    step("DynamoDB GetItem round trip (warm connection)",
         lambda: dynamodb.get_item(TableName=os.environ["DIRECTORY_TABLE"],
                                   Key={"pk": {"S": "BENCH"}, "sk": {"S": "ANATOMY"}}))

    def verify() -> None:
        from handover.identity.passwords import Passwords

        passwords = Passwords()
        passwords.verify(None, "not the password")  # hashes the dummy first: time the second verify
        started = time.perf_counter()
        passwords.verify(None, "not the password")
        print(f"STEP argon2id verify (OWASP: 19 MiB, t=2)|{(time.perf_counter() - started) * 1000:.3f}|")

    verify()


main()
