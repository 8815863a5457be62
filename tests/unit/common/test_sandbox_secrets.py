"""A secret the sandbox publishes goes with the sandbox only, in every process."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from common.sandbox_secrets import Held, is_sandbox_url, published_secrets_refused
from tests.unit.api.conftest import make_settings


@pytest.mark.parametrize(
    ("url", "sandbox"),
    [
        ("http://127.0.0.1:8081/whatsapp", True),
        ("http://127.8.0.1:8081/whatsapp", True),
        ("http://localhost:8081/twilio", True),
        ("http://[::1]:8081/aicc", True),
        ("http://sandbox:8081/whatsapp", True),
        ("https://graph.facebook.com", False),
        ("https://api.twilio.com", False),
        ("http://sandbox.example.com/whatsapp", False),
        ("http://10.0.0.5:8081/whatsapp", False),
        (None, False),
    ],
)
def test_only_this_machine_or_the_compose_sandbox_is_the_sandbox(
    url: str | None, sandbox: bool
) -> None:
    assert is_sandbox_url(url) is sandbox


def test_a_published_secret_is_named_with_the_service_it_was_held_for() -> None:
    [refusal] = published_secrets_refused(
        [
            Held("WHATSAPP_APP_SECRET", "sandbox-app-secret", "WHATSAPP_API_BASE_URL", "https://graph.facebook.com"),
            Held("WHATSAPP_ACCESS_TOKEN", "a-real-token", "WHATSAPP_API_BASE_URL", "https://graph.facebook.com"),
            Held("TWILIO_AUTH_TOKEN", "sandbox-twilio-token", "TWILIO_API_BASE_URL", "http://127.0.0.1:8081/twilio"),
        ]
    )  # fmt: skip

    assert refusal.startswith("WHATSAPP_APP_SECRET is the sandbox's published value")
    assert "https://graph.facebook.com" in refusal


REAL_GRAPH = {
    "whatsapp_api_base_url": "https://graph.facebook.com",
    "whatsapp_phone_number_id": "100000000000001",
}


REAL = {"whatsapp_app_secret": "real-secret", "whatsapp_access_token": "real-token"}


@pytest.mark.parametrize(
    ("published", "values"),
    [
        ("WHATSAPP_APP_SECRET", {**REAL, "whatsapp_app_secret": "sandbox-app-secret"}),
        ("WHATSAPP_ACCESS_TOKEN", {**REAL, "whatsapp_access_token": "sandbox-whatsapp-token"}),
        ("WHATSAPP_VERIFY_TOKEN", {**REAL, "whatsapp_verify_token": "sandbox-verify-token"}),
    ],
)
def test_the_gateway_refuses_a_published_whatsapp_secret_against_meta(
    published: str, values: dict[str, str]
) -> None:
    secrets: dict[str, Any] = {key: SecretStr(value) for key, value in values.items()}

    with pytest.raises(ValidationError, match=f"{published} is the sandbox's published value"):
        make_settings(**REAL_GRAPH, **secrets)


def test_the_gateway_refuses_twilios_published_token_against_twilio() -> None:
    with pytest.raises(ValidationError, match="TWILIO_AUTH_TOKEN is the sandbox's"):
        make_settings(
            twilio_auth_token=SecretStr("sandbox-twilio-token"),
            twilio_account_sid="AC00000000000000000000000000000000",
            twilio_whatsapp_number="whatsapp:+14155238886",
            twilio_webhook_url="https://bot.example.com/webhooks/twilio",
            twilio_api_base_url="https://api.twilio.com",
        )


def test_the_gateway_starts_with_the_published_secrets_against_the_sandbox() -> None:
    settings = make_settings(
        whatsapp_app_secret=SecretStr("sandbox-app-secret"),
        whatsapp_access_token=SecretStr("sandbox-whatsapp-token"),
        whatsapp_phone_number_id="100000000000001",
        whatsapp_api_base_url="http://127.0.0.1:8081/whatsapp",
    )

    assert settings.whatsapp_app_secret is not None
