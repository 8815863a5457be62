from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import GatewaySettings, get_settings


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in (
        "RASA_URL",
        "RASA_API_TOKEN",
        "RASA_TIMEOUT_SECONDS",
        "GATEWAY_MAX_MESSAGE_CHARS",
        "GATEWAY_MAX_BODY_BYTES",
        "WEBCHAT_TITLE",
    ):
        monkeypatch.delenv(name, raising=False)
    # No .env in the working directory either.
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_rasa_api_token_is_required(clean_env):
    with pytest.raises(ValidationError, match="rasa_api_token"):
        GatewaySettings()


def test_defaults(clean_env):
    clean_env.setenv("RASA_API_TOKEN", "t")

    settings = GatewaySettings()

    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.rasa_timeout_seconds == 30.0
    assert settings.gateway_max_message_chars == 32_000
    assert settings.gateway_max_body_bytes == 512 * 1024
    assert settings.webchat_title == "casebot"


def test_token_is_not_shown_in_repr(clean_env):
    clean_env.setenv("RASA_API_TOKEN", "very-secret")

    settings = GatewaySettings()

    assert "very-secret" not in repr(settings)
    assert settings.rasa_api_token.get_secret_value() == "very-secret"


def test_values_come_from_the_environment(clean_env):
    clean_env.setenv("RASA_API_TOKEN", "t")
    clean_env.setenv("RASA_URL", "http://rasa:5005")
    clean_env.setenv("GATEWAY_MAX_MESSAGE_CHARS", "100")
    clean_env.setenv("GATEWAY_MAX_BODY_BYTES", "400")
    clean_env.setenv("WEBCHAT_TITLE", "Acme")

    settings = GatewaySettings()

    assert settings.rasa_url == "http://rasa:5005"
    assert settings.gateway_max_message_chars == 100
    assert settings.gateway_max_body_bytes == 400
    assert settings.webchat_title == "Acme"


def test_values_come_from_a_dot_env_file(clean_env, tmp_path):
    (tmp_path / ".env").write_text("RASA_API_TOKEN=from-file\nWEBCHAT_TITLE=Filed\n")

    settings = GatewaySettings()

    assert settings.rasa_api_token.get_secret_value() == "from-file"
    assert settings.webchat_title == "Filed"


def test_body_limit_too_small_for_the_longest_message_is_refused(clean_env):
    clean_env.setenv("RASA_API_TOKEN", "t")
    clean_env.setenv("GATEWAY_MAX_MESSAGE_CHARS", "100")
    clean_env.setenv("GATEWAY_MAX_BODY_BYTES", "399")

    with pytest.raises(ValidationError, match="GATEWAY_MAX_BODY_BYTES must be at least 400"):
        GatewaySettings()


def test_get_settings_is_cached(clean_env):
    clean_env.setenv("RASA_API_TOKEN", "t")

    assert get_settings() is get_settings()
