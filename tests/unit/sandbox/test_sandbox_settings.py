from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.settings import SandboxSettings, get_settings


def test_settings_come_from_the_documented_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_DB_PATH", "/tmp/s.sqlite3")
    monkeypatch.setenv("SANDBOX_SEED_FILE", "seed.yaml")
    monkeypatch.setenv("SANDBOX_AWS_ACCOUNT_ID", "210987654321")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")

    settings = SandboxSettings()

    assert settings.db_path == Path("/tmp/s.sqlite3")
    assert settings.seed_file == Path("seed.yaml")
    assert (settings.aws_account_id, settings.region) == ("210987654321", "eu-west-2")


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SANDBOX_DB_PATH",
        "SANDBOX_SEED_FILE",
        "SANDBOX_AWS_ACCOUNT_ID",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)

    settings = SandboxSettings()

    assert settings.db_path == Path("var/sandbox.sqlite3")
    assert settings.seed_file == Path("data/connect_cases/domain.yaml")
    assert (settings.aws_account_id, settings.region) == ("123456789012", "us-east-1")


def test_empty_seed_file_switches_seeding_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_SEED_FILE", "")

    assert SandboxSettings().seed_file is None


def test_get_settings_is_cached() -> None:
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()
