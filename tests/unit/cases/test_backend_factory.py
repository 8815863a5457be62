from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.backend import BackendNotConfigured
from cases.connect.backend import ConnectCasesBackend
from cases.connect.factory import build_connect_backend, get_connect_client
from cases.connect.settings import ConnectSettings, get_connect_settings
from cases.factory import get_backend
from cases.settings import CaseSettings, get_case_settings

REPO = Path(__file__).resolve().parents[3]
CACHED = (get_case_settings, get_connect_settings, get_backend, get_connect_client)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("CASE_BACKEND", "connect")
    monkeypatch.setenv("CONNECT_CASES_ENDPOINT_URL", "http://127.0.0.1:8081/connectcases")
    monkeypatch.setenv("CONNECT_CASES_DOMAIN_ID", "8a1f5d3e-2c4b-4f6a-9e7d-1b2c3d4e5f60")
    monkeypatch.setenv("CONNECT_CASES_TEMPLATE_ID", "c4a2e9b0-7d15-4e2b-8f3a-5b6c7d8e9f01")
    monkeypatch.setenv("CASE_TEMPLATE_FILE", str(REPO / "data" / "case_template.yaml"))
    for cached in CACHED:
        cached.cache_clear()
    yield
    for cached in CACHED:
        cached.cache_clear()


def test_connect_back_end_is_built_once_from_the_settings() -> None:
    backend = get_backend()

    assert isinstance(backend, ConnectCasesBackend)
    assert get_backend() is backend


def test_client_points_at_the_endpoint_with_adaptive_retries_and_timeouts() -> None:
    client = get_connect_client()

    assert client.meta.endpoint_url == "http://127.0.0.1:8081/connectcases"
    assert client.meta.region_name == "us-east-1"
    # botocore counts the first attempt too: max_attempts=5 retries is 6 attempts in all
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 6}
    assert client.meta.config.connect_timeout == 3.0
    assert client.meta.config.read_timeout == 10.0


def test_aicc_without_its_settings_is_refused_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASE_BACKEND", "aicc")
    for name in ("AICC_BASE_URL", "AICC_APP_KEY", "AICC_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(BackendNotConfigured, match="CASE_BACKEND=aicc needs AICC_BASE_URL"):
        get_backend()


def test_connect_without_ids_names_what_is_missing() -> None:
    settings = ConnectSettings(connect_cases_domain_id=None, connect_cases_template_id="")

    with pytest.raises(
        BackendNotConfigured, match="CONNECT_CASES_DOMAIN_ID and CONNECT_CASES_TEMPLATE_ID"
    ):
        build_connect_backend(CaseSettings(), settings, get_connect_client())


def test_customer_profiles_are_resolved_only_when_a_domain_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cases.connect.profiles import ProfileResolver, get_profiles_client

    monkeypatch.delenv("CUSTOMER_PROFILES_DOMAIN", raising=False)
    without = get_backend()
    monkeypatch.setenv("CUSTOMER_PROFILES_DOMAIN", "casebot")
    monkeypatch.setenv("CUSTOMER_PROFILES_ENDPOINT_URL", "http://127.0.0.1:8081/profiles")
    for cached in (get_connect_settings, get_backend, get_profiles_client):
        cached.cache_clear()
    with_profiles = get_backend()
    get_profiles_client.cache_clear()

    assert without._customers is None  # type: ignore[attr-defined]
    assert isinstance(with_profiles._customers, ProfileResolver)  # type: ignore[attr-defined]
