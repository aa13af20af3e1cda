"""The onboarding checklist's steps: a stack parameter, handed to the activity function through
its environment, read into the settings once per cold start."""

from __future__ import annotations

import pytest
from handover.settings import DEFAULT_ONBOARDING_STEPS, Settings
from pydantic import ValidationError

from local.aws import references, resolve
from local.template import function_variables, template

REQUIRED = {"DIRECTORY_TABLE": "d", "LINKS_TABLE": "l", "HISTORY_TABLE": "h", "IDEMPOTENCY_TABLE": "i",
            "OUTBOX_TABLE": "o", "SESSIONS_TABLE": "se", "RESET_QUEUE_URL": "q", "TOKEN_KEY_ID": "k",
            "TOKEN_ISSUER": "t", "SENDER_ADDRESS": "s@example.com", "PORTAL_URL": "https://portal.example"}


def test_the_parameter_reaches_the_activity_function() -> None:
    # Given the template's parameter, by default and when the stack sets it
    variable = function_variables()["ActivityFunction"]["ONBOARDING_STEPS"]

    # Then the function's environment carries it, and the default is the settings' default
    assert resolve(variable, references()) == ",".join(DEFAULT_ONBOARDING_STEPS)
    assert resolve(variable, references({"OnboardingSteps": "a,b"})) == "a,b"
    assert template()["Parameters"]["OnboardingSteps"]["Default"] == ",".join(DEFAULT_ONBOARDING_STEPS)


@pytest.mark.parametrize(("text", "steps"), [
    (None, list(DEFAULT_ONBOARDING_STEPS)),
    ("profile", ["profile"]),
    (" widget, go_live ,widget,,", ["widget", "go_live"]),
])
def test_the_setting_is_read_from_comma_separated_keys(text: str | None, steps: list[str]) -> None:
    environ = REQUIRED | ({"ONBOARDING_STEPS": text} if text is not None else {})
    assert Settings.from_env(environ).onboarding_steps == steps


@pytest.mark.parametrize("text", ["", " , ", "has space", "a#b", ",".join(f"s{number}" for number in range(51))])
def test_steps_the_platform_could_not_report_are_refused_at_cold_start(text: str) -> None:
    with pytest.raises(ValidationError, match="onboarding steps"):
        Settings.from_env(REQUIRED | {"ONBOARDING_STEPS": text})
