"""Email addresses: those of the common shape are judged without email_validator, and exactly as
it judges them (handover/mail/addresses.py)."""

from __future__ import annotations

import email_validator
import pytest
from handover.errors import EmailInvalid
from handover.mail import addresses
from handover.mail.addresses import normalise_email, validated
from hypothesis import example, given, settings
from hypothesis import strategies as st

# Addresses of the common shape and just outside it (a hyphen, a dot, a label or a special-use
# name too many; a character it does not take), and anything at all.
_LABEL = (st.text("abZ09", min_size=1, max_size=6) | st.text("abZ09-", min_size=1, max_size=8)
          | st.sampled_from(["xn--bcher-kva", "ab--c", "-a", "a-", "test", "local", "arpa", "a" * 64, "b" * 63]))
_TLD = st.text("abZ", min_size=2, max_size=4) | st.sampled_from(["c0m", "c", "test", "localhost", "invalid", "onion"])
_DOMAIN = st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_LABEL, max_size=3), _TLD)
_LOCAL = (st.text("abZ9.+_-", min_size=1, max_size=10) | st.text("abZ9.+_-'!#`~{}|", min_size=1, max_size=70)
          | st.text("aZ9.+_-'!#`~\"() ,:;<>[]\\@", max_size=10))
_AT = st.sampled_from(["@", "@", "@", "@@", ""])
_ADDRESS = st.builds(lambda local, at, domain: f"{local}{at}{domain}", _LOCAL, _AT, _DOMAIN) | st.text(max_size=20)


@settings(max_examples=500, deadline=None)
@given(_ADDRESS)
@example("A.B+c@Example.COM")
@example("a@b.test")
@example("a@bc--d.com")
@example(f"{'a' * 65}@example.com")
@example(f"a@{'b' * 64}.com")
def test_an_address_of_the_common_shape_is_judged_as_email_validator_judges_it(address: str) -> None:
    # Given an address, judged by email_validator itself
    try:
        expected: str | None = validate_email(address)
    except email_validator.EmailNotValidError:
        expected = None
    # Then the common shape takes in nothing email_validator refuses, and normalises as it does
    if addresses._common(address.lower()):
        assert expected == address.lower()
    # And either way the answer is email_validator's
    if expected is None:
        with pytest.raises(EmailInvalid):
            normalise_email(address)
    else:
        assert normalise_email(address) == expected


def validate_email(address: str) -> str:
    return email_validator.validate_email(address, check_deliverability=False).normalized.lower()


def test_the_special_use_domains_are_email_validators() -> None:
    assert set(addresses.SPECIAL_USE) == set(email_validator.SPECIAL_USE_DOMAIN_NAMES)


def test_common_addresses_take_the_short_way_and_others_email_validators() -> None:
    assert addresses._common("jo.smith+tag@mail.example.com")
    assert not addresses._common("jo@xn--bcher-kva.example")  # Punycode: email_validator decodes it
    assert validated("Jo@Example.com") == "jo@example.com"
    with pytest.raises(EmailInvalid, match="special-use"):
        normalise_email("jo@example.test")
