"""Reads template.yaml, so the dev server, the tests and the benchmark use the deployed shape:
the same tables, the same functions, the same routes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...) kept as {tag: value}."""


def _tagged(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {suffix: value}


_CfnLoader.add_multi_constructor("!", _tagged)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the template: /v1/customers/{id}
    function: str  # logical id, e.g. CreateCustomerFunction

    @property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{regex}$")


@dataclass(frozen=True)
class StreamSource:
    """A DynamoDB stream event source: which table's stream, and how Lambda reads it."""

    table: str  # logical id
    starting_position: str
    batch_size: int
    filters: tuple[str, ...]  # FilterCriteria patterns, as JSON; a record passes when any matches


@dataclass(frozen=True)
class RuleSource:
    """An EventBridgeRule event: its pattern and bus as written, intrinsics unresolved (JSON)."""

    name: str
    pattern: str
    bus: str | None  # None: the account's default bus


@dataclass(frozen=True)
class BucketSource:
    """An S3 event: which bucket's new objects, under which key prefix and suffix."""

    bucket: str  # logical id
    events: tuple[str, ...]  # e.g. s3:ObjectCreated:*
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class QueueSource:
    queue: str  # the queue's logical id
    batch_size: int  # messages handed over at most per invocation


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_dir: Path
    handler: str
    routes: tuple[Route, ...]
    schedules: tuple[str, ...]
    queues: tuple[QueueSource, ...] = ()  # the SQS queues that trigger it
    streams: tuple[StreamSource, ...] = ()
    rules: tuple[RuleSource, ...] = ()
    buckets: tuple[BucketSource, ...] = ()
    concurrency: int | None = None  # ReservedConcurrentExecutions

    @property
    def name(self) -> str:
        return self.code_dir.name


@cache
def template() -> dict[str, Any]:
    return parse(TEMPLATE.read_text())


def parse(text: str) -> dict[str, Any]:
    """A template (or a fragment of one), its short tags kept as {tag: value}."""
    loaded: dict[str, Any] = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return loaded


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: body.get("Properties", {}) for name, body in template()["Resources"].items()
            if body["Type"] == kind}


def functions() -> list[Function]:
    default_handler = template().get("Globals", {}).get("Function", {}).get("Handler", "app.lambda_handler")
    found = []
    for logical_id, props in resources("AWS::Serverless::Function").items():
        routes, schedules, queues, streams, rules, buckets = [], [], [], [], [], []
        for name, event in (props.get("Events") or {}).items():
            properties = event["Properties"]
            if event["Type"] == "HttpApi":
                routes.append(Route(properties["Method"].upper(), properties["Path"], logical_id))
            elif event["Type"] in ("Schedule", "ScheduleV2"):
                schedules.append(properties.get("Schedule") or properties["ScheduleExpression"])
            elif event["Type"] == "SQS":
                queues.append(QueueSource(properties["Queue"]["GetAtt"].split(".")[0],
                                          int(properties.get("BatchSize", 10))))
            elif event["Type"] == "DynamoDB":
                streams.append(StreamSource(
                    properties["Stream"]["GetAtt"].split(".")[0], properties["StartingPosition"],
                    int(properties.get("BatchSize", 100)),
                    tuple(entry["Pattern"] for entry in properties.get("FilterCriteria", {}).get("Filters", []))))
            elif event["Type"] == "EventBridgeRule":
                bus = properties.get("EventBusName")
                rules.append(RuleSource(name, json.dumps(properties["Pattern"]),
                                        None if bus is None else json.dumps(bus)))
            elif event["Type"] == "S3":
                events = properties["Events"]
                key_rules = {rule["Name"].lower(): rule["Value"]
                             for rule in properties.get("Filter", {}).get("S3Key", {}).get("Rules", [])}
                buckets.append(BucketSource(properties["Bucket"]["Ref"],
                                            tuple([events] if isinstance(events, str) else events),
                                            key_rules.get("prefix", ""), key_rules.get("suffix", "")))
        found.append(Function(logical_id, ROOT / props["CodeUri"], props.get("Handler", default_handler),
                              tuple(routes), tuple(schedules), tuple(queues), tuple(streams), tuple(rules),
                              tuple(buckets), props.get("ReservedConcurrentExecutions")))
    return found


def environment_variables() -> dict[str, Any]:
    """The Globals environment, unresolved (values may be {Ref: ...} or {Sub: ...})."""
    variables: dict[str, Any] = template()["Globals"]["Function"]["Environment"]["Variables"]
    return variables


def function_variables() -> dict[str, dict[str, Any]]:
    """Each function's own environment variables (beyond the Globals), unresolved."""
    return {logical_id: props.get("Environment", {}).get("Variables", {})
            for logical_id, props in resources("AWS::Serverless::Function").items()}
