"""Part 1's hosted pages: the request of each page (events/pages.json, moved to the page), so that
each page is a cold start of its own, and its HTML is measured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.samples import sample
from bench.world import World, last_link_token


def page_events(world: World, customer_token: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each hosted page's request (events/pages.json, moved to the page): opening a link page spends
    nothing, so one link serves every run."""
    from handover.pages.session_cookie import SESSION_COOKIE

    _, _, invite_link = world.invited_customer()
    reset_customer, reset_email, _ = world.invited_customer()
    world.expect(202, world.call("POST", f"/v1/customers/{reset_customer}/password-reset", {},
                                 token=world.owner_token), "password reset")
    reset_link = last_link_token(reset_email)
    targets = {"claim": f"/claim?token={invite_link}", "reset": f"/reset?token={reset_link}",
               "dead link": "/claim?token=no-such-link", "forgot": "/forgot?account=demo",
               "login": "/login?account=demo", "account": "/account"}
    return {page: (target.split("?")[0], page_event(target, cookies=[f"{SESSION_COOKIE}={customer_token}"]
                                                    if page == "account" else []))
            for page, target in targets.items()}


def always(event: dict[str, Any]) -> Callable[[int], dict[str, Any]]:
    return lambda i: event


def page_event(target: str, cookies: list[str]) -> dict[str, Any]:
    event = sample("pages")
    path, _, query = target.partition("?")
    event.update(rawPath=path, rawQueryString=query, routeKey=f"GET {path}",
                 queryStringParameters=dict(pair.split("=", 1) for pair in query.split("&") if pair))
    event["requestContext"].update(routeKey=f"GET {path}")
    event["requestContext"]["http"]["path"] = path
    if cookies:
        event["cookies"] = cookies
    return event
