from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from api.app import create_app
from api.settings import GatewaySettings

WHATSAPP_VARIABLES = (
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_API_BASE_URL",
    "WHATSAPP_API_VERSION",
    "WHATSAPP_TEMPLATE_NAME",
    "WHATSAPP_TEMPLATE_LANGUAGE",
    "WHATSAPP_QUEUE_DB",
    "WHATSAPP_MEDIA_DIR",
    "AGENT_WHATSAPP_NUMBERS",
)


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in WHATSAPP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RASA_API_TOKEN", "t")
    return monkeypatch


def test_the_channel_is_off_by_default_and_points_at_the_sandbox(env):
    settings = GatewaySettings(_env_file=None)

    assert settings.whatsapp_app_secret is None
    assert settings.whatsapp_api_base_url == "http://127.0.0.1:8081/whatsapp"
    assert settings.whatsapp_api_version == "v21.0"
    assert settings.whatsapp_queue_db == Path("var/whatsapp-queue.sqlite3")
    assert settings.whatsapp_media_dir == Path("var/media")
    assert settings.agent_whatsapp_numbers == frozenset()


def test_agent_numbers_are_read_comma_separated_and_normalised(env):
    env.setenv("AGENT_WHATSAPP_NUMBERS", "+15550001111, 447700 900123 ,,")

    settings = GatewaySettings(_env_file=None)

    assert settings.agent_whatsapp_numbers == {"+15550001111", "+447700900123"}


def test_enabling_the_channel_requires_a_token_and_a_phone_number_id(env):
    env.setenv("WHATSAPP_APP_SECRET", "s")

    with pytest.raises(ValidationError, match="WHATSAPP_ACCESS_TOKEN"):
        GatewaySettings(_env_file=None)

    env.setenv("WHATSAPP_ACCESS_TOKEN", "a")
    env.setenv("WHATSAPP_PHONE_NUMBER_ID", "106540352242922")
    assert GatewaySettings(_env_file=None).whatsapp_phone_number_id == "106540352242922"


def test_secrets_are_not_shown_in_repr(env):
    env.setenv("WHATSAPP_APP_SECRET", "app-secret-value")
    env.setenv("WHATSAPP_ACCESS_TOKEN", "access-token-value")
    env.setenv("WHATSAPP_VERIFY_TOKEN", "verify-token-value")
    env.setenv("WHATSAPP_PHONE_NUMBER_ID", "1")

    shown = repr(GatewaySettings(_env_file=None))

    for secret in ("app-secret-value", "access-token-value", "verify-token-value"):
        assert secret not in shown


async def test_the_queue_file_is_created_at_startup_not_by_create_app(settings_with, tmp_path):
    db = tmp_path / "var" / "wa.sqlite3"
    settings = settings_with(
        whatsapp_app_secret=SecretStr("s"),
        whatsapp_access_token=SecretStr("a"),
        whatsapp_phone_number_id="1",
        whatsapp_queue_db=db,
    )
    app = create_app(settings, transport=httpx.MockTransport(lambda r: httpx.Response(500)))

    assert not db.exists()
    async with app.router.lifespan_context(app):
        assert db.exists()
        assert app.state.whatsapp is not None
    assert not hasattr(app.state, "whatsapp")
