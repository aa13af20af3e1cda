"""The dev server: the whole service on a laptop, with no AWS account and no Docker.

moto's server plays AWS on loopback; every resource is created from template.yaml; each HTTP
request becomes an API Gateway v2 event for the function that template.yaml routes it to.

    python -m local.server            (what `make dev` runs; PORT overrides 3000)
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from local.aws import REGION, create_resources, references, start_aws
from local.bus import EventLog, capture_put_events
from local.lambdas import Containers, LambdaContext, by_name, ensure_layer_on_path, handler_of
from local.outbox import Outbox, capture_sesv2
from local.patterns import UnsupportedPattern
from local.rules import EventInvalid, EventRouter, subscriptions
from local.template import Function, Route, functions, template
from local.triggers import Triggers


def api_event(route: Route, method: str, raw_path: str, raw_query: str, headers: dict[str, str],
              body: bytes, path_parameters: dict[str, str], source_ip: str = "127.0.0.1") -> dict[str, Any]:
    """An API Gateway HTTP API (payload v2) event, as API Gateway would build it."""
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    now = time.time()
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{route.method} {route.path}",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": headers.get("user-agent", "")},
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": encoded,
    }
    if query:
        event["queryStringParameters"] = query
    # API Gateway hands the Cookie header over as a list of `name=value` pairs, not as a header.
    if "cookie" in headers:
        event["headers"] = {name: value for name, value in headers.items() if name != "cookie"}
        event["cookies"] = [pair.strip() for pair in headers["cookie"].split(";") if pair.strip()]
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        event["body"] = text
    return event


class Gateway:
    """Routes like API Gateway: method and path template from template.yaml to one function."""

    def __init__(self, all_functions: list[Function], containers: Containers | None = None) -> None:
        """Without `containers`, handlers run in this process (for one request at a time: tests)."""
        self.routes = [(route, function) for function in all_functions for route in function.routes]
        self.containers = containers

    def match(self, method: str, path: str) -> tuple[Route, Function, dict[str, str]] | None:
        for route, function in self.routes:
            found = route.pattern.match(path)
            if found and route.method == method:
                return route, function, {name: unquote(value) for name, value in found.groupdict().items()}
        return None

    def invoke(self, method: str, target: str, headers: dict[str, str], body: bytes,
               source_ip: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
        split = urlsplit(target)
        matched = self.match(method, split.path)
        if matched is None:
            return 404, {"content-type": "application/json"}, b'{"message":"Not Found"}'
        route, function, parameters = matched
        response = self.run(function, api_event(route, method, split.path, split.query, headers, body, parameters,
                                                source_ip))
        payload = response.get("body") or ""
        raw = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        out_headers = {name.lower(): str(value) for name, value in (response.get("headers") or {}).items()}
        if response.get("cookies"):  # one Set-Cookie header each (see _reply)
            out_headers["set-cookie"] = "\n".join(response["cookies"])
        return int(response["statusCode"]), out_headers, raw

    def run(self, function: Function, event: dict[str, Any]) -> Any:
        """Invoke a function with an event of any kind, in a container of its own when there are some."""
        if self.containers is None:
            return handler_of(function)(event, LambdaContext(function_name=function.logical_id))
        return self.containers.invoke(function, event)


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 resets connections when many clients arrive at once


_JSON = {"content-type": "application/json"}


class DevServer:
    def __init__(self, port: int, outbox: Outbox, gateway: Gateway, triggers: Triggers, events: EventLog,
                 router: EventRouter, own_bus: str) -> None:
        self.port = port
        self.outbox = outbox
        self.gateway = gateway
        self.triggers = triggers
        self.events = events
        self.router = router
        self.own_bus = own_bus
        self.httpd = _Listener(("127.0.0.1", port), self._handler_class())
        self.aws: Any = None  # moto's server, stopped with this one

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                sys.stderr.write(f"{self.command} {self.path.split('?')[0]} -> {args[1] if len(args) > 1 else ''}\n")

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                if split.path == "/_local/outbox" and self.command == "GET":
                    to = dict(parse_qsl(split.query)).get("to")
                    self._reply(200, {"content-type": "application/json"},
                                json.dumps(server.outbox.emails(to)).encode())
                    return
                if split.path.startswith("/_local/invoke/") and self.command == "POST":
                    self._reply(*server.invoke_scheduled(split.path.rsplit("/", 1)[1]))
                    return
                if split.path == "/_local/events" and self.command in ("GET", "POST"):
                    self._reply(*(server.list_events(dict(parse_qsl(split.query)).get("detail_type"))
                                  if self.command == "GET" else server.deliver_events(body)))
                    return
                headers: dict[str, str] = {}
                for name, value in self.headers.items():
                    key = name.lower()
                    headers[key] = f"{headers[key]},{value}" if key in headers else value
                status, out_headers, raw = server.gateway.invoke(self.command, self.path, headers, body,
                                                                  self.client_address[0])
                self._reply(status, out_headers, raw)

            def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    if name not in ("content-length", "connection"):
                        for line in value.split("\n") if name == "set-cookie" else [value]:
                            self.send_header(name, line)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        return Handler

    def invoke_scheduled(self, name: str) -> tuple[int, dict[str, str], bytes]:
        """POST /_local/invoke/<function>: run a scheduled function now, as its schedule would."""
        try:
            function = by_name(name)
        except KeyError:
            function = None
        if function is None or not function.schedules:
            return 404, {"content-type": "application/json"}, b'{"message":"no scheduled function by that name"}'
        result = self.triggers.run_scheduled(function)
        return 200, {"content-type": "application/json"}, json.dumps(result).encode()

    def list_events(self, detail_type: str | None) -> tuple[int, dict[str, str], bytes]:
        """GET /_local/events: what Handover put on its own bus, newest first."""
        found = self.events.events(detail_type or None, bus=self.own_bus)
        return 200, _JSON, json.dumps(list(reversed(found))).encode()

    def deliver_events(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """POST /_local/events: one event or a list, to every function whose rule matches."""
        try:
            answer = self.router.deliver(json.loads(body))
        except EventInvalid as error:
            return _problem(400, "event_invalid", "The body is not an EventBridge event", str(error))
        except UnsupportedPattern as error:
            return _problem(500, "pattern_unsupported", "A rule in template.yaml needs more than the local matcher",
                            str(error))
        except ValueError:
            return _problem(400, "event_invalid", "The body is not an EventBridge event", "The body is not JSON")
        return 202, _JSON, json.dumps(answer).encode()

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def shutdown(self) -> None:
        self.triggers.stop()
        if self.gateway.containers is not None:
            self.gateway.containers.close()
        self.httpd.server_close()
        if self.aws is not None:
            self.aws.stop()


def _problem(status: int, code: str, title: str, detail: str) -> tuple[int, dict[str, str], bytes]:
    body = {"type": f"urn:handover:problem:{code}", "title": title, "status": status, "detail": detail, "code": code}
    return status, {"content-type": "application/problem+json"}, json.dumps(body).encode()


def parameter_overrides(text: str) -> dict[str, str]:
    """`Name=Value Name=Value`, as `sam deploy --parameter-overrides` takes them: the stack parameters
    the dev server runs with, instead of their defaults (e.g. `EmailSendRate=100`)."""
    known = template().get("Parameters", {})
    overrides = {name: value for name, _, value in (pair.partition("=") for pair in text.split())}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise SystemExit(f"LOCAL_PARAMETER_OVERRIDES: no such stack parameter: {', '.join(unknown)}")
    return overrides


def build(port: int) -> tuple[DevServer, list[Any]]:
    """Everything up and seeded, not yet serving."""
    import boto3

    ensure_layer_on_path()
    aws = start_aws()
    outbox = Outbox()
    capture_sesv2(outbox)
    events = EventLog()
    capture_put_events(events)
    all_functions = functions()
    parameters = {"PortalUrl": f"http://127.0.0.1:{port}",
                  **parameter_overrides(os.environ.get("LOCAL_PARAMETER_OVERRIDES", ""))}
    environment = create_resources(boto3.session.Session(), parameters)
    os.environ.update(environment)
    containers = Containers(int(os.environ.get("LOCAL_CONTAINERS", "4")))
    gateway = Gateway(all_functions, containers)
    router = EventRouter(subscriptions(all_functions, references(parameters)), gateway.run, outbox.complete_ses_event)
    # Queue and bucket workers get containers of their own, so long batches never hold up requests.
    triggers = Triggers(all_functions, Containers(int(os.environ.get("LOCAL_WORKER_CONTAINERS", "2"))).invoke)
    server = DevServer(port, outbox, gateway, triggers, events, router, environment["EVENT_BUS_NAME"])
    server.aws = aws

    from handover.runtime import runtime

    from local.seed import load_seed

    runtime.cache_clear()
    logins = load_seed(runtime())
    for function in all_functions:
        handler_of(function)  # import every handler before the first request, as a warm Lambda would be
    return server, logins


def main() -> None:
    port = int(os.environ.get("PORT", "3000"))
    schedule_seconds = float(os.environ.get("LOCAL_SCHEDULE_SECONDS", "600"))
    server, logins = build(port)
    server.triggers.start(schedule_seconds)
    print(f"\nHandover dev server: {server.base_url}")
    print(f"  API docs     {server.base_url}/docs   (OpenAPI: {server.base_url}/openapi.json)")
    print(f"  Pages        {server.base_url}/login?account=demo   (the hosted pages; emailed claim and reset links"
          " open here too)")
    print(f"  Emails       {server.base_url}/_local/outbox   (?to=<email> to filter)")
    print(f"  Events       {server.base_url}/_local/events   (what Handover put on its bus, ?detail_type= to filter;"
          " POST an EventBridge event to deliver it to the functions whose rules match)")
    print(f"  Schedules    every {schedule_seconds:g} s (LOCAL_SCHEDULE_SECONDS), or now: make invoke FN=cleanup")
    print("  Queues       polled continuously (forgot-password emails, import rows and bulk invites are worked off"
          " a moment after the 202), and the outbox stream too (events reach the bus a moment after the change)")
    print("  Uploads      import upload URLs take `curl -T file.csv <url>`; the bucket is polled and each new file"
          " planned as S3's event would")
    print(f"  AWS (moto)   {os.environ['AWS_ENDPOINT_URL']}   (for the aws CLI: --endpoint-url, credentials"
          f" local/local, region {REGION}; tables handover-local-*)")
    print("  Seed logins (POST /v1/auth/login):")
    for login in logins:
        account = f", account {login.account}" if login.account else ""
        print(f"    {login.realm:<8} {login.email:<26} {login.password:<20} {login.note}{account}")
    print("  Ctrl-C stops it; every start begins from the seed data again.\n", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
