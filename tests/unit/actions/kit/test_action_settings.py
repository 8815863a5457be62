from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from actions.kit.settings import ActionSettings, get_settings

NAMES = [
    "CASE_BACKEND",
    "CONNECT_CASES_ENDPOINT_URL",
    "CONNECT_CASES_DOMAIN_ID",
    "CONNECT_CASES_TEMPLATE_ID",
    "AWS_DEFAULT_REGION",
    "CASE_TEMPLATE_FILE",
    "TEMPLATE_CACHE_SECONDS",
    "DEFAULT_PHONE_REGION",
    "ASSISTANT_NAME",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults_need_no_environment() -> None:
    settings = ActionSettings()

    assert settings.case_backend == "connect"
    assert settings.connect_cases_endpoint_url is None
    assert settings.case_template_file == Path("data/case_template.yaml")
    assert settings.template_cache_seconds == 300
    assert settings.default_phone_region == "GB"
    assert settings.assistant_name == "casebot"


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASE_BACKEND", "aicc")
    monkeypatch.setenv("CONNECT_CASES_ENDPOINT_URL", "http://127.0.0.1:8081/connectcases")
    monkeypatch.setenv("CONNECT_CASES_DOMAIN_ID", "d-1")
    monkeypatch.setenv("TEMPLATE_CACHE_SECONDS", "60")
    monkeypatch.setenv("DEFAULT_PHONE_REGION", "us")

    settings = ActionSettings()

    assert settings.case_backend == "aicc"
    assert settings.connect_cases_endpoint_url == "http://127.0.0.1:8081/connectcases"
    assert settings.connect_cases_domain_id == "d-1"
    assert settings.template_cache_seconds == 60
    assert settings.default_phone_region == "US"


def test_unknown_back_end_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASE_BACKEND", "zendesk")

    with pytest.raises(ValidationError):
        ActionSettings()


def test_settings_are_read_once() -> None:
    assert get_settings() is get_settings()
