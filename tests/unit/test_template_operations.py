"""What a deployed stack needs to be run, read from template.yaml: every function logs to a group
of its own with the retention parameter, every queue has a dead-letter queue and every
dead-letter queue an alarm, the API throttles and writes an access log that carries no token,
every worker has reserved concurrency, every alarm notifies the alarm topic, and the stack reads
the token key's public half into every function's environment."""

from __future__ import annotations

import base64
import json
import sys
import types
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from local.template import functions, resources, template

FUNCTIONS = resources("AWS::Serverless::Function")
QUEUES = resources("AWS::SQS::Queue")
ALARMS = resources("AWS::CloudWatch::Alarm")
LOG_GROUPS = resources("AWS::Logs::LogGroup")


def _ref(value: Any) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else None


def _referenced(node: Any, name: str) -> bool:
    """Whether `node` refers to the resource `name` (Ref or GetAtt), anywhere inside."""
    if isinstance(node, dict):
        if node.get("Ref") == name or str(node.get("GetAtt", "")).split(".")[0] == name:
            return True
        return any(_referenced(value, name) for value in node.values())
    if isinstance(node, list):
        return any(_referenced(value, name) for value in node)
    return False


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_logs_to_its_own_group_kept_for_the_retention_parameter(name: str) -> None:
    group = _ref(FUNCTIONS[name].get("LoggingConfig", {}).get("LogGroup"))
    assert group in LOG_GROUPS, f"{name} has no log group of its own"
    assert _ref(LOG_GROUPS[group].get("RetentionInDays")) == "LogRetentionDays"
    others = [other for other, props in FUNCTIONS.items()
              if other != name and _ref(props.get("LoggingConfig", {}).get("LogGroup")) == group]
    assert not others, f"{group} is shared with {others}"


def test_each_queue_has_a_dead_letter_queue_and_each_dead_letter_queue_an_alarm() -> None:
    dead_letter = {name for name in QUEUES if name.endswith("DeadLetterQueue")}
    for name, props in QUEUES.items():
        if name not in dead_letter:
            target = props.get("RedrivePolicy", {}).get("deadLetterTargetArn", {}).get("GetAtt", "")
            assert target.split(".")[0] in dead_letter, f"{name} has no dead-letter queue"
    for name in dead_letter:
        watching = [alarm for alarm, props in ALARMS.items() if _referenced(props.get("Dimensions"), name)]
        assert watching, f"no alarm watches {name}"
        props = ALARMS[watching[0]]
        assert (props["MetricName"], props["Threshold"]) == ("ApproximateNumberOfMessagesVisible", 1)


def test_the_api_throttles_tighter_on_the_sign_in_routes_and_logs_no_token() -> None:
    api = resources("AWS::Serverless::HttpApi")["HttpApi"]
    default = api["DefaultRouteSettings"]
    assert (_ref(default["ThrottlingRateLimit"]), _ref(default["ThrottlingBurstLimit"])) == (
        "ApiRateLimit", "ApiBurstLimit")
    routed = {f"{route.method} {route.path}" for function in functions() for route in function.routes}
    for route in ("POST /v1/auth/login", "POST /v1/auth/password/forgot", "POST /v1/auth/refresh",
                  "GET /claim", "POST /claim", "POST /login", "POST /forgot"):
        assert _ref(api["RouteSettings"][route]["ThrottlingRateLimit"]) == "SignInRateLimit"
    assert set(api["RouteSettings"]) <= routed, "a throttled route that does not exist"
    log = api["AccessLogSettings"]
    assert _ref(log["DestinationArn"]) is None and log["DestinationArn"]["GetAtt"].split(".")[0] in LOG_GROUPS
    fields = json.loads(log["Format"])
    assert {"requestId", "route", "status", "latencyMs", "sourceIp", "userAgent"} <= set(fields)
    forbidden = ("$context.path", "querystring", "$request", "$context.authorizer")
    assert not [value for value in fields.values() if any(word in value.lower() for word in forbidden)]


@pytest.mark.parametrize("name", sorted(name for name, props in FUNCTIONS.items()
                                        if any(event["Type"] != "HttpApi"
                                               for event in (props.get("Events") or {}).values())))
def test_each_worker_has_reserved_concurrency(name: str) -> None:
    assert FUNCTIONS[name].get("ReservedConcurrentExecutions", 0) >= 1


def test_the_alarms_watch_5xx_throttles_the_publisher_and_ses_reputation_and_notify_the_topic() -> None:
    metrics = set()
    for props in ALARMS.values():
        metrics.add(props.get("MetricName"))
        for query in props.get("Metrics", []):
            metrics.add(query.get("MetricStat", {}).get("Metric", {}).get("MetricName"))
        assert props["AlarmActions"] == {"If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
    assert {"5xx", "Throttles", "WriteThrottleEvents", "Errors", "IteratorAge", "Reputation.BounceRate",
            "Reputation.ComplaintRate"} <= metrics
    assert template()["Parameters"]["AlarmTopicArn"]["Default"] == ""


def _run_token_public_key_reader(request_type: str, key_id: str) -> list[tuple[str, dict[str, str], str, Any]]:
    """The template's inline reader, run as CloudFormation would run it; what it answered."""
    answered: list[tuple[str, dict[str, str], str, Any]] = []
    cfnresponse = types.SimpleNamespace(
        SUCCESS="SUCCESS", FAILED="FAILED",
        send=lambda _event, _context, status, data, physical_id, reason=None:
            answered.append((status, data, physical_id, reason)))
    code = resources("AWS::Lambda::Function")["TokenPublicKeyReaderFunction"]["Code"]["ZipFile"]
    namespace: dict[str, Any] = {}
    with mock.patch.dict(sys.modules, {"cfnresponse": cfnresponse}):
        exec(compile(code, "TokenPublicKeyReader", "exec"), namespace)  # the template's own code
    namespace["handler"]({"RequestType": request_type, "ResourceProperties": {"KeyId": key_id}}, None)
    return answered


def test_the_stack_reads_the_token_keys_public_half_into_every_functions_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert template()["Globals"]["Function"]["Environment"]["Variables"]["TOKEN_PUBLIC_KEY"] == \
        {"GetAtt": "TokenPublicKey.PublicKey"}
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        kms = boto3.client("kms")
        key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        public_half = base64.b64encode(kms.get_public_key(KeyId=key_id)["PublicKey"]).decode("ascii")
        # A create or an update answers the public half, base64 DER
        assert _run_token_public_key_reader("Create", key_id) == \
            [("SUCCESS", {"PublicKey": public_half}, key_id, None)]
        assert _run_token_public_key_reader("Update", key_id)[0][:2] == ("SUCCESS", {"PublicKey": public_half})
        # A delete asks nothing of KMS (the key may be gone); a key KMS does not know fails the deploy
        assert _run_token_public_key_reader("Delete", "no-such-key") == [("SUCCESS", {}, "no-such-key", None)]
        [(status, data, _, reason)] = _run_token_public_key_reader("Create", "no-such-key")
        assert (status, data) == ("FAILED", {}) and "NotFound" in reason
