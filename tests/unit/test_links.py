"""Emailed links: hashed tokens, URLs, expiry, single use and kind."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import pytest
from handover.data.accounts import AccountRecord
from handover.data.expiry import expiry_day
from handover.data.links import LinkRecord
from handover.data.principals import CustomerRecord
from handover.errors import LinkInvalid
from handover.links.tokens import Links, hash_token, link_url

NOW = 1_750_000_000  # 2025-06-15T15:06:40Z
LIFETIMES = {"invite": 7 * 24 * 3600, "reset": 3600}  # a business's defaults: 7 days, 60 minutes
TOKEN = "k3Yx-abcdefghijklmnopqrstuvwxyz0123456789_AB"


class FakeLinkStore:
    def __init__(self, *records: LinkRecord) -> None:
        self.records = {record.token_hash: record for record in records}
        self.asked: list[str] = []

    def get(self, token_hash: str) -> LinkRecord | None:
        self.asked.append(token_hash)
        return self.records.get(token_hash)


def make_record(token: str = TOKEN, **changes: object) -> LinkRecord:
    fields: dict[str, object] = {
        "token_hash": hash_token(token), "kind": "invite", "account_id": "A1", "account_name": "Demo Studio",
        "subject_id": "C1", "email": "robin@example.com", "link_version": 3, "token_version": 2,
        "created_at": NOW - 60, "expires_at": NOW + 3600, "expiry_day": "2025-06-15", "expires_ttl": NOW + 3600,
    }
    fields.update(changes)
    return LinkRecord.model_validate(fields)


def make_links(*records: LinkRecord) -> Links:
    return Links(FakeLinkStore(*records), clock=lambda: NOW)


@pytest.fixture
def account() -> AccountRecord:
    return AccountRecord(id="A1", name="Demo Studio", nickname="demo", password_profile="nist", created_at=NOW - 99)


@pytest.fixture
def customer() -> CustomerRecord:
    return CustomerRecord(id="C1", email="robin@example.com", account_id="A1", first_name="Robin",
                          last_name="Hood", token_version=4, link_version=6, created_at=NOW - 99,
                          updated_at=NOW - 9)


def test_hash_token_is_sha256_hex() -> None:
    # When a token is hashed
    hashed = hash_token("abc")

    # Then it is the lower-case hex SHA-256 of its UTF-8 bytes
    assert hashed == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert hashed == hashlib.sha256(b"abc").hexdigest()


@pytest.mark.parametrize(("kind", "page"), [("invite", "claim"), ("reset", "reset")])
@pytest.mark.parametrize("portal", ["https://demo.example", "https://demo.example/"])
def test_link_url_points_at_the_page_for_its_kind(kind: str, page: str, portal: str) -> None:
    # When a link URL is built, with or without a trailing slash on the portal
    url = link_url(portal, kind, "tok_123")

    # Then it is the kind's page on the portal, carrying the token
    assert url == f"https://demo.example/{page}?token=tok_123"


def test_valid_returns_a_live_link() -> None:
    # Given a stored, unused, unexpired invite
    record = make_record()
    links = make_links(record)

    # When the token is checked
    found = links.valid(TOKEN, "invite")

    # Then the record is returned, looked up by the token's hash (never the token itself)
    assert found == record
    assert links.store.asked == [hash_token(TOKEN)]


def test_valid_without_a_kind_accepts_any_kind() -> None:
    # Given a stored reset link
    record = make_record(kind="reset")

    # When the token is checked without a wanted kind
    # Then it is returned
    assert make_links(record).valid(TOKEN) == record


def test_an_unknown_token_is_invalid() -> None:
    # Given a store without the token
    links = make_links(make_record())

    # When another token is checked
    # Then the link is invalid (410)
    with pytest.raises(LinkInvalid) as caught:
        links.valid("some-other-token", "invite")
    assert caught.value.status == 410


def test_a_used_link_is_invalid() -> None:
    # Given a link that was already used
    links = make_links(make_record(used_at=NOW - 5))

    # When it is checked again
    # Then it is invalid
    with pytest.raises(LinkInvalid):
        links.valid(TOKEN, "invite")


@pytest.mark.parametrize("expires_at", [NOW, NOW - 1, NOW - 86_400])
def test_an_expired_link_is_invalid_even_if_the_record_is_still_there(expires_at: int) -> None:
    # Given a link whose expiry has come (at or before now) but which TTL has not deleted yet
    links = make_links(make_record(expires_at=expires_at, expires_ttl=expires_at))

    # When it is checked
    # Then it is invalid
    with pytest.raises(LinkInvalid):
        links.valid(TOKEN, "invite")


def test_a_link_expiring_one_second_from_now_is_still_valid() -> None:
    # Given a link that expires one second after now
    record = make_record(expires_at=NOW + 1)

    # When / Then it is still accepted
    assert make_links(record).valid(TOKEN, "invite") == record


@pytest.mark.parametrize(("stored", "wanted"), [("invite", "reset"), ("reset", "invite")])
def test_a_link_of_the_wrong_kind_is_invalid(stored: str, wanted: str) -> None:
    # Given a live link of one kind
    links = make_links(make_record(kind=stored))

    # When it is presented as the other kind
    # Then it is invalid
    with pytest.raises(LinkInvalid):
        links.valid(TOKEN, wanted)


@pytest.mark.parametrize("token", ["", "x" * 129, "x" * 1_000_000])
def test_an_empty_or_over_long_token_is_invalid_without_a_lookup(token: str) -> None:
    # Given a store holding a live record for exactly that token
    links = make_links(make_record(token=token))

    # When the token is checked
    with pytest.raises(LinkInvalid):
        links.valid(token, "invite")

    # Then the store was not even asked
    assert links.store.asked == []


def test_a_token_of_128_characters_is_looked_up() -> None:
    # Given a live record for a 128-character token
    token = "x" * 128
    record = make_record(token=token)

    # When / Then it is accepted
    assert make_links(record).valid(token, "invite") == record


@pytest.mark.parametrize("kind", ["invite", "reset"])
def test_new_makes_a_token_and_a_record_for_the_next_link_version(
    kind: str, account: AccountRecord, customer: CustomerRecord
) -> None:
    # Given Links with a fixed clock
    links = make_links()

    # When a new link is made for a customer
    token, record = links.new(kind, account, customer)

    # Then the token is 32 random bytes in url-safe base64 (43 characters), stored only as its hash
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert record.token_hash == hash_token(token)
    assert token not in record.model_dump_json()
    # and the record is for the customer's next link version, under the current token version
    assert record.kind == kind
    assert record.link_version == customer.link_version + 1 == 7
    assert record.token_version == customer.token_version == 4
    assert (record.account_id, record.account_name) == (account.id, account.name)
    assert (record.subject_id, record.email) == (customer.id, customer.email)
    assert record.password_profile == "nist"
    # and it expires one lifetime of that kind from now, TTL included
    assert record.created_at == NOW
    assert record.expires_at == NOW + LIFETIMES[kind]
    assert record.expires_ttl == record.expires_at
    assert record.used_at is None


def test_new_expiry_day_is_the_utc_date_of_expiry(account: AccountRecord, customer: CustomerRecord) -> None:
    # Given a clock at 23:30 UTC, and a business whose reset links live one hour
    late = int(datetime(2025, 6, 15, 23, 30, tzinfo=UTC).timestamp())
    links = Links(FakeLinkStore(), clock=lambda: late)
    assert account.reset_link_minutes == 60

    # When a reset link is made
    _, record = links.new("reset", account, customer)

    # Then it expires on the next UTC day, and expiry_day says so (with its shard)
    assert record.expires_at == late + 3600
    assert record.expiry_day == expiry_day(record.expires_at, record.token_hash)
    assert record.expiry_day.startswith("2025-06-16#")


@pytest.mark.parametrize(("kind", "setting", "seconds"), [
    ("invite", {"invite_link_days": 1}, 24 * 3600),
    ("invite", {"invite_link_days": 30}, 30 * 24 * 3600),
    ("reset", {"reset_link_minutes": 15}, 15 * 60),
    ("reset", {"reset_link_minutes": 1440}, 24 * 3600),
])
def test_a_link_lives_as_long_as_its_business_says(kind: str, setting: dict[str, int], seconds: int,
                                                   account: AccountRecord, customer: CustomerRecord) -> None:
    # Given a business that chose its own lifetime for links of this kind
    chosen = account.model_copy(update=setting)

    # When a link of that kind is made for it
    _, record = make_links().new(kind, chosen, customer)

    # Then it expires that long from now
    assert record.expires_at == record.expires_ttl == NOW + seconds


def test_new_tokens_differ_each_time(account: AccountRecord, customer: CustomerRecord) -> None:
    # When two links are made for the same customer
    links = make_links()
    first, _ = links.new("invite", account, customer)
    second, _ = links.new("invite", account, customer)

    # Then their tokens differ
    assert first != second


def test_a_new_link_is_valid_once_stored(account: AccountRecord, customer: CustomerRecord) -> None:
    # Given a newly made link, stored
    token, record = make_links().new("invite", account, customer)
    links = make_links(record)

    # When its token is checked
    # Then the stored record comes back
    assert links.valid(token, "invite") == record
