from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cases.aicc.settings import AiccSettings, get_aicc_settings
from cases.connect.settings import ConnectSettings, get_connect_settings
from cases.settings import CaseSettings, get_case_settings

NAMES = [
    "CASE_BACKEND",
    "CONNECT_CASES_ENDPOINT_URL",
    "CONNECT_CASES_DOMAIN_ID",
    "CONNECT_CASES_TEMPLATE_ID",
    "CONNECT_CASES_CONNECT_TIMEOUT",
    "CONNECT_CASES_READ_TIMEOUT",
    "CONNECT_INSTANCE_ID",
    "CONNECT_ENDPOINT_URL",
    "AWS_DEFAULT_REGION",
    "AWS_ACCOUNT_ID",
    "CASE_TEMPLATE_FILE",
    "TEMPLATE_CACHE_SECONDS",
    "ASSISTANT_NAME",
    "CUSTOMER_PROFILES_DOMAIN",
    "CUSTOMER_PROFILES_ENDPOINT_URL",
    "CUSTOMER_PROFILES_CREATE_MISSING",
    "CUSTOMER_PROFILES_CACHE_SECONDS",
    "AICC_BASE_URL",
    "AICC_APP_KEY",
    "AICC_APP_SECRET",
    "AICC_CASE_TYPE",
    "AICC_CREATOR_ID",
    "AICC_AUTO_ASSIGNED_KEY",
    "AICC_TIME_ZONE",
    "AICC_CASE_TYPES_FILE",
    "AICC_TIMEOUT_SECONDS",
    "AICC_TOKEN_PATH",
    "AICC_TOKEN_REFRESH_MARGIN_SECONDS",
    "AICC_IDEMPOTENCY_DB",
]
CACHED = (get_case_settings, get_connect_settings, get_aicc_settings)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    for cached in CACHED:
        cached.cache_clear()
    yield
    for cached in CACHED:
        cached.cache_clear()


def test_defaults_need_no_environment() -> None:
    cases = CaseSettings()
    connect = ConnectSettings()

    assert cases.case_backend == "connect"
    assert connect.connect_cases_endpoint_url is None
    assert cases.case_template_file == Path("data/case_template.yaml")
    assert cases.template_cache_seconds == 300
    assert cases.assistant_name == "casebot"


def test_every_back_end_default_is_the_one_documented() -> None:
    connect = ConnectSettings()
    aicc = AiccSettings()

    assert (connect.connect_cases_domain_id, connect.connect_cases_template_id) == (None, None)
    assert (connect.aws_default_region, connect.connect_instance_id) == (None, None)
    assert connect.connect_endpoint_url is None
    assert (connect.connect_cases_connect_timeout, connect.connect_cases_read_timeout) == (3, 10)
    assert (connect.customer_profiles_domain, connect.customer_profiles_endpoint_url) == (
        None,
        None,
    )
    assert connect.customer_profiles_create_missing is True
    assert connect.customer_profiles_cache_seconds == 3600
    assert connect.aws_account_id == "123456789012"
    assert (aicc.aicc_base_url, aicc.aicc_app_key, aicc.aicc_app_secret) == (None, None, None)
    assert (aicc.aicc_case_type, aicc.aicc_creator_id) == ("casebot", "casebot")
    assert aicc.aicc_auto_assigned_key == "isAutoAssigned"
    assert aicc.aicc_time_zone == "UTC"
    assert aicc.aicc_case_types_file == Path("data/aicc/case_types.yaml")
    assert aicc.aicc_timeout_seconds == 10
    assert aicc.aicc_token_path == "/baas/auth/v1.0/oauth2/token"
    assert aicc.aicc_token_refresh_margin_seconds == 60
    assert aicc.aicc_idempotency_db == Path("var/aicc-idempotency.sqlite3")


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASE_BACKEND", "aicc")
    monkeypatch.setenv("CONNECT_CASES_ENDPOINT_URL", "http://127.0.0.1:8081/connectcases")
    monkeypatch.setenv("CONNECT_CASES_DOMAIN_ID", "d-1")
    monkeypatch.setenv("TEMPLATE_CACHE_SECONDS", "60")
    monkeypatch.setenv("AICC_APP_SECRET", "s3cret")

    cases = CaseSettings()
    connect = ConnectSettings()
    aicc = AiccSettings()

    assert cases.case_backend == "aicc"
    assert connect.connect_cases_endpoint_url == "http://127.0.0.1:8081/connectcases"
    assert connect.connect_cases_domain_id == "d-1"
    assert cases.template_cache_seconds == 60
    assert aicc.aicc_app_secret is not None
    assert aicc.aicc_app_secret.get_secret_value() == "s3cret"


def test_unknown_back_end_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASE_BACKEND", "zendesk")

    with pytest.raises(ValidationError):
        CaseSettings()


def test_every_aws_client_takes_the_configured_timeouts_and_adaptive_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONNECT_CASES_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("CONNECT_CASES_READ_TIMEOUT", "7")

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")

    options = ConnectSettings().client_options("http://127.0.0.1:8081/connect")

    config = options["config"]
    assert options["endpoint_url"] == "http://127.0.0.1:8081/connect"
    assert options["region_name"] == "eu-west-2"
    assert (config.connect_timeout, config.read_timeout) == (2, 7)
    assert config.retries == {"mode": "adaptive", "max_attempts": 5}


def test_settings_are_read_once() -> None:
    for cached in CACHED:
        assert cached() is cached()


def test_the_action_servers_database_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTIONS_DATABASE_URL", "postgresql://casebot:pw@db:5432/casebot")

    url = CaseSettings().actions_database_url

    assert url is not None
    assert url.get_secret_value() == "postgresql://casebot:pw@db:5432/casebot"
    assert "pw" not in repr(CaseSettings())
    monkeypatch.setenv("ACTIONS_DATABASE_URL", "")
    assert CaseSettings().actions_database_url is None


def test_a_database_url_that_is_not_postgresqls_is_refused_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTIONS_DATABASE_URL", "mysql://casebot:hunter2@db/casebot")

    with pytest.raises(ValidationError) as refused:
        CaseSettings()

    assert "postgresql://" in str(refused.value)
    assert "hunter2" not in str(refused.value)
