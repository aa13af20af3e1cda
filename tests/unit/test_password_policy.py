"""The password policy profiles of the API contract ("Password policy")."""

from __future__ import annotations

from importlib import resources

import pytest
from handover.errors import PasswordPolicyViolation
from handover.identity.password_policy import common_passwords, enforce, failed_rules

EMAIL = "robin@example.com"


def test_classic_accepts_a_long_mixed_password() -> None:
    # Given a password with upper, lower, digit and special characters, unrelated to the email
    password = "Sunny-Harbour-42"

    # When it is checked under the default profile
    failed = failed_rules(password, profile="classic", email=EMAIL)

    # Then no rule fails, and enforcing it raises nothing
    assert failed == []
    assert enforce(password, profile="classic", email=EMAIL) is None


@pytest.mark.parametrize(("profile", "password"), [("classic", "Sn-Hb42"), ("nist", "sunny harbour!")])
def test_one_character_short_of_the_minimum_fails_min_length(profile: str, password: str) -> None:
    # Given a password one character shorter than the profile's minimum (classic 8, nist 15)
    assert len(password) == {"classic": 7, "nist": 14}[profile]

    # When it is checked
    failed = failed_rules(password, profile=profile, email=EMAIL)

    # Then only the length rule fails
    assert failed == ["min_length"]


@pytest.mark.parametrize(("profile", "password"), [("classic", "Sn-Hb42x"), ("nist", "sunny harbour!x")])
def test_exactly_the_minimum_length_passes(profile: str, password: str) -> None:
    # Given a password exactly as long as the profile's minimum
    assert len(password) == {"classic": 8, "nist": 15}[profile]

    # When / Then it passes
    assert failed_rules(password, profile=profile, email=EMAIL) == []


@pytest.mark.parametrize("profile", ["classic", "nist"])
def test_over_128_characters_fails_max_length_only(profile: str) -> None:
    # Given a 129-character password that would also break other rules (whitespace, one class)
    password = "a " * 64 + "a"
    assert len(password) == 129

    # When it is checked
    failed = failed_rules(password, profile=profile, email="aaa@example.com")

    # Then max_length is the only rule reported
    assert failed == ["max_length"]


@pytest.mark.parametrize("profile", ["classic", "nist"])
def test_exactly_128_characters_is_allowed(profile: str) -> None:
    # Given a 128-character password that otherwise passes
    password = ("Sunny-Harbour-42" * 8)[:128]

    # When / Then no rule fails
    assert failed_rules(password, profile=profile, email=EMAIL) == []


def test_a_one_megabyte_password_is_refused_as_max_length() -> None:
    # Given a 1 MB password full of the email's local part and white space
    password = "robin " * (1024 * 1024 // 6)

    # When it is checked
    failed = failed_rules(password, profile="classic", email=EMAIL)

    # Then it is refused on length alone, without the other rules being evaluated
    assert failed == ["max_length"]


def test_classic_refuses_white_space() -> None:
    # Given an otherwise good password containing a space
    password = "Sunny Harbour-42"

    # When it is checked under classic
    failed = failed_rules(password, profile="classic", email=EMAIL)

    # Then the white-space rule fails
    assert failed == ["no_whitespace"]


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0"])
def test_classic_refuses_any_kind_of_white_space(space: str) -> None:
    # Given an otherwise good password containing some white-space character
    password = f"Sunny{space}Harbour-42"

    # When / Then the white-space rule fails
    assert "no_whitespace" in failed_rules(password, profile="classic", email=EMAIL)


def test_nist_allows_spaces_and_has_no_composition_rules() -> None:
    # Given an all-lower-case passphrase with spaces
    password = "correct horse battery staple"

    # When it is checked under nist
    failed = failed_rules(password, profile="nist", email=EMAIL)

    # Then it passes
    assert failed == []


def test_the_same_passphrase_fails_classic_composition() -> None:
    # Given the nist-acceptable passphrase
    password = "correct horse battery staple"

    # When it is checked under classic
    failed = failed_rules(password, profile="classic", email=EMAIL)

    # Then classic refuses its spaces and its single character class
    assert failed == ["no_whitespace", "character_classes"]


@pytest.mark.parametrize(
    "password",
    [
        "sunnyharbour42!",  # lower, digit, special
        "SUNNYHARBOUR42!",  # upper, digit, special
        "SunnyHarbour!!",  # lower, upper, special
        "SunnyHarbour42",  # lower, upper, digit
    ],
)
def test_exactly_three_character_classes_pass(password: str) -> None:
    # Given a password using exactly three of the four classes
    # When it is checked under classic
    failed = failed_rules(password, profile="classic", email=EMAIL)

    # Then it passes
    assert failed == []


@pytest.mark.parametrize(
    "password",
    [
        "sunnyharbour42",  # lower, digit
        "SunnyHarbourXY",  # lower, upper
        "sunny-harbour!",  # lower, special
        "2024-12-31/0042",  # digit, special
    ],
)
def test_two_character_classes_fail(password: str) -> None:
    # Given a password using only two of the four classes
    # When it is checked under classic
    failed = failed_rules(password, profile="classic", email=EMAIL)

    # Then the character-class rule fails
    assert failed == ["character_classes"]


@pytest.mark.parametrize(
    ("profile", "password"),
    [
        ("classic", "Password123!"),  # listed "password123", decorated and capitalised
        ("classic", "P@ssw0rd!"),  # listed "p@ssw0rd", decorated
        ("classic", "!!Qwerty123!!"),  # listed "qwerty123", decorated on both ends
        ("nist", "password1234567"),  # "password" decorated up to 15 characters
    ],
)
def test_common_passwords_and_their_decorated_variants_are_refused(profile: str, password: str) -> None:
    # Given a listed password, possibly capitalised and wrapped in digits or punctuation
    # When it is checked
    failed = failed_rules(password, profile=profile, email=EMAIL)

    # Then only the blocklist rule fails
    assert failed == ["common_password"]


@pytest.mark.parametrize("password", ["qwerty123", "QWERTY123", "QwErTy123"])
def test_common_password_match_ignores_case(password: str) -> None:
    # Given "qwerty123" (listed) in any letter case
    # When it is checked under nist
    failed = failed_rules(password, profile="nist", email=EMAIL)

    # Then it is refused as common (and short)
    assert failed == ["min_length", "common_password"]


def test_a_listed_word_inside_a_longer_password_is_not_common() -> None:
    # Given a password that merely contains a listed word among letters
    password = "Password-Harbour-42"

    # When it is checked
    failed = failed_rules(password, profile="classic", email=EMAIL)

    # Then the blocklist does not refuse it
    assert failed == []


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("robin@example.com", "Robin-Harbour-42"),
        ("ROBIN@example.com", "sunny-robin-42X"),
        ("rob@example.com", "Sunny-ROB-Harbour-42"),  # a 3-character local part is enforced
    ],
)
def test_a_password_containing_the_email_local_part_is_refused(email: str, password: str) -> None:
    # Given a password containing the email's local part (3+ characters), in any case
    # When it is checked
    failed = failed_rules(password, profile="classic", email=email)

    # Then the email rule fails
    assert failed == ["contains_email"]


def test_the_email_rule_applies_to_nist_too() -> None:
    # Given a long passphrase containing the local part
    # When it is checked under nist
    failed = failed_rules("robin sails the harbour", profile="nist", email="robin@example.com")

    # Then the email rule fails
    assert failed == ["contains_email"]


def test_a_two_character_local_part_is_not_enforced() -> None:
    # Given an email whose local part has only two characters, and a password containing it
    email = "jo@example.com"
    password = "Jo-Sunny-Harbour-42"

    # When it is checked
    failed = failed_rules(password, profile="classic", email=email)

    # Then the email rule does not fire
    assert failed == []


def test_the_email_domain_is_not_part_of_the_rule() -> None:
    # Given a password containing the email's domain but not its local part
    failed = failed_rules("Example-Harbour-42", profile="classic", email="robin@example.com")

    # Then it passes
    assert failed == []


def test_several_failed_rules_are_reported_together_in_a_stable_order() -> None:
    # Given a password breaking every rule but max_length
    password = "pass 1"
    email = "pass@example.com"

    # When it is checked twice
    first = failed_rules(password, profile="classic", email=email)
    second = failed_rules(password, profile="classic", email=email)

    # Then all rules are reported, in the policy's order, the same each time
    assert first == ["min_length", "no_whitespace", "character_classes", "common_password", "contains_email"]
    assert second == first


def test_enforce_raises_with_the_failed_rules() -> None:
    # Given a password breaking several rules
    password = "pass 1"
    email = "pass@example.com"

    # When it is enforced
    with pytest.raises(PasswordPolicyViolation) as caught:
        enforce(password, profile="classic", email=email)

    # Then the error is the 422 password_policy error listing the same rules as failed_rules
    assert caught.value.status == 422
    assert caught.value.code == "password_policy"
    assert caught.value.extra["failed_rules"] == failed_rules(password, profile="classic", email=email)


def test_enforce_reports_max_length_for_an_over_long_password() -> None:
    # Given a 129-character password
    # When it is enforced
    with pytest.raises(PasswordPolicyViolation) as caught:
        enforce("Sunny-Harbour-42" * 8 + "x", profile="nist", email=EMAIL)

    # Then the only failed rule is max_length
    assert caught.value.extra["failed_rules"] == ["max_length"]


def test_the_blocklist_ships_in_the_package() -> None:
    # Given the handover package as installed
    shipped = resources.files("handover.identity").joinpath("common_passwords.txt")

    # When the blocklist is loaded
    listed = common_passwords()

    # Then the file is part of the package, and every non-blank line of it is in the list, lower-cased
    assert shipped.is_file()
    lines = {line.strip().lower() for line in shipped.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert listed == lines
    assert len(listed) > 200
    assert {"password", "qwerty123", "123456"} <= listed
    assert all(entry == entry.lower() for entry in listed)


def test_a_listed_all_digit_password_is_refused_even_when_decorated() -> None:
    # Given a listed password made of digits only, with punctuation around it
    # When the nist profile (no composition rules) checks it
    failed = failed_rules("1234567890!!!!!", profile="nist", email="someone@example.com")

    # Then it is still recognised as common
    assert failed == ["common_password"]
