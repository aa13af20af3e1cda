"""Where the login page may send a signed-in browser (pages/redirects.py): never an open redirect."""

from __future__ import annotations

import pytest
from handover.pages.redirects import after_sign_in, allowed_return

ORIGINS = ["https://shop.example", "https://app.shop.example:8443"]

ALLOWED = [
    ("https://shop.example/after", "https://shop.example/after"),
    ("https://shop.example", "https://shop.example/"),
    ("https://shop.example/a?b=1#c", "https://shop.example/a?b=1#c"),
    ("HTTPS://SHOP.Example/Mixed/Case", "https://shop.example/Mixed/Case"),
    ("https://shop.example:443/a", "https://shop.example/a"),
    ("https://app.shop.example:8443/x", "https://app.shop.example:8443/x"),
    ("https://shop.example/%2F%2Fevil.example", "https://shop.example/%2F%2Fevil.example"),
]

REFUSED = [
    ("scheme-relative", "//evil.example/"),
    ("scheme-relative to an allowed host", "//shop.example/"),
    ("backslash", "\\\\evil.example"),
    ("backslash after the scheme", "https:\\\\evil.example"),
    ("slash and backslash", "https:/\\evil.example"),
    ("backslash in the path", "https://shop.example\\@evil.example"),
    ("no slashes", "https:evil.example"),
    ("no slashes, allowed host", "https:shop.example"),
    ("userinfo", "https://shop.example@evil.example/"),
    ("userinfo with a password", "https://shop.example:pw@evil.example/"),
    ("userinfo, allowed host after it", "https://evil.example@shop.example/"),
    ("percent-encoded slash in the host", "https://shop.example%2F@evil.example"),
    ("percent-encoded host", "https://sh%6Fp.example/"),
    ("percent-encoded dot", "https://evil%2eexample/"),
    ("encoded scheme", "https%3A%2F%2Fshop.example/"),
    ("plain http", "http://shop.example/"),
    ("mixed-case http", "HtTp://shop.example/"),
    ("javascript", "javascript:alert(1)//https://shop.example"),
    ("data", "data:text/html,hi"),
    ("a suffix of the allowed host", "https://shop.example.evil.example/"),
    ("a prefix of the allowed host", "https://evilshop.example/"),
    ("trailing dot", "https://shop.example./"),
    ("other port", "https://shop.example:8443/"),
    ("port zero", "https://shop.example:0/"),
    ("port out of range", "https://shop.example:99999/"),
    ("tab inside", "https://shop.ex\tample/"),
    ("newline inside", "https://shop.example/\nx"),
    ("leading space", " https://shop.example/"),
    ("unicode host", "https://shöp.example/"),
    ("fullwidth dot", "https://shop\uff0eexample/"),
    ("relative path", "/account"),
    ("empty", ""),
    ("allowed origin only in the query", "https://evil.example/?https://shop.example"),
]


@pytest.mark.parametrize(("return_to", "expected"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_an_https_url_of_an_allowed_origin_is_followed(return_to: str, expected: str) -> None:
    assert allowed_return(return_to, ORIGINS) == expected


@pytest.mark.parametrize(("trick", "return_to"), REFUSED, ids=[case[0] for case in REFUSED])
def test_every_trick_is_refused(trick: str, return_to: str) -> None:
    assert allowed_return(return_to, ORIGINS) is None


def test_a_refused_return_goes_to_the_portal_or_else_the_account_page() -> None:
    assert after_sign_in("//evil.example", ORIGINS, "https://portal.example", "/account") == "https://portal.example"
    assert after_sign_in("//evil.example", ORIGINS, None, "/account") == "/account"
    assert after_sign_in("https://shop.example/x", [], None, "/account") == "/account"
