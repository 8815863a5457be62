from __future__ import annotations

from pathlib import Path

import pytest

from actions.kit.settings import ActionSettings, get_settings
from cases.aicc.settings import AiccSettings
from cases.connect.settings import ConnectSettings
from cases.settings import CaseSettings

NAMES = ["DEFAULT_PHONE_REGION", "HANDOFF_QUEUE", "OUTBOX_DB", "ACTIONS_MEDIA_DIR"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults_need_no_environment() -> None:
    settings = ActionSettings()

    assert settings.default_phone_region == "GB"
    assert settings.handoff_queue == "casebot-handoff"
    assert settings.outbox_db == Path("var/outbox.sqlite3")
    assert settings.actions_media_dir == Path("var/media")


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_PHONE_REGION", "us")

    settings = ActionSettings()

    assert settings.default_phone_region == "US"


def test_the_action_server_reads_no_setting_of_the_case_back_end() -> None:
    # each variable has one reader, so the back end's are never half moved
    own = set(ActionSettings.model_fields)
    for back_end in (CaseSettings, ConnectSettings, AiccSettings):
        assert own.isdisjoint(back_end.model_fields), back_end.__name__


def test_settings_are_read_once() -> None:
    assert get_settings() is get_settings()
