"""How ``connect_backend`` wires the instance's queues and the domain the profiles share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.connect.factory import connect_backend, get_connect_client, get_instance_client
from cases.connect.profiles import get_profiles_client
from cases.connect.queues import QueueDirectory
from cases.connect.settings import get_connect_settings
from cases.settings import CaseSettings

REPO = Path(__file__).resolve().parents[4]
CACHED = (get_connect_settings, get_connect_client, get_instance_client, get_profiles_client)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("CONNECT_CASES_ENDPOINT_URL", "http://127.0.0.1:8081/connectcases")
    monkeypatch.setenv("CONNECT_ENDPOINT_URL", "http://127.0.0.1:8081/connect")
    monkeypatch.setenv("CUSTOMER_PROFILES_ENDPOINT_URL", "http://127.0.0.1:8081/profiles")
    monkeypatch.setenv("CONNECT_CASES_DOMAIN_ID", "8a1f5d3e-2c4b-4f6a-9e7d-1b2c3d4e5f60")
    monkeypatch.setenv("CONNECT_CASES_TEMPLATE_ID", "c4a2e9b0-7d15-4e2b-8f3a-5b6c7d8e9f01")
    for cached in CACHED:
        cached.cache_clear()
    yield
    for cached in CACHED:
        cached.cache_clear()


def cases() -> CaseSettings:
    return CaseSettings(case_template_file=REPO / "data" / "case_template.yaml")


def test_without_an_instance_the_start_says_queues_and_files_cannot_work(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("CONNECT_INSTANCE_ID", raising=False)

    with caplog.at_level("WARNING", logger="cases.connect.factory"):
        backend = connect_backend(cases())

    assert backend._queues is None  # type: ignore[attr-defined]
    assert "CONNECT_INSTANCE_ID is unset" in caplog.text


def test_with_an_instance_queue_names_are_looked_up_on_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONNECT_INSTANCE_ID", "5e1c0a7d-3b2f-4c6e-9a8d-2f4b6c8e0a13")

    backend = connect_backend(cases())

    assert isinstance(backend._queues, QueueDirectory)  # type: ignore[attr-defined]


def test_profiles_take_their_account_from_the_back_ends_own_domain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CUSTOMER_PROFILES_DOMAIN", "casebot")

    backend = connect_backend(cases())

    # one CasesDomain: its single GetDomain serves case ARNs and profile ARNs alike
    assert backend._customers._place is backend._domain  # type: ignore[attr-defined]
