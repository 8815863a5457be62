from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.aicc.backend import AiccBackend
from cases.aicc.factory import build_aicc_backend, get_aicc_http, get_idempotency_store
from cases.aicc.idempotency_postgres import PostgresIdempotencyStore
from cases.aicc.settings import AiccSettings, get_aicc_settings
from cases.backend import BackendNotConfigured
from cases.factory import get_backend
from cases.settings import CaseSettings, get_case_settings
from common.postgres import shared_pool
from tests.support.services import PostgresServer

REPO = Path(__file__).resolve().parents[4]
CACHED = (get_case_settings, get_aicc_settings, get_backend, get_aicc_http, get_idempotency_store)
CASES = CaseSettings(case_backend="aicc", case_template_file=REPO / "data" / "case_template.yaml")


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    for cached in CACHED:
        cached.cache_clear()
    yield
    for cached in CACHED:
        cached.cache_clear()


def aicc_settings(tmp_path: Path, **values: object) -> AiccSettings:
    base: dict[str, object] = {
        "aicc_base_url": "http://127.0.0.1:8081/aicc",
        "aicc_app_key": "sandbox-aicc-key",
        "aicc_app_secret": "sandbox-aicc-secret",
        "aicc_idempotency_db": tmp_path / "keys.sqlite3",
        "aicc_case_types_file": REPO / "data" / "aicc" / "case_types.yaml",
    }
    return AiccSettings(**(base | values))  # type: ignore[arg-type]


def test_case_backend_aicc_builds_the_aicc_back_end_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CASE_BACKEND", "aicc")
    monkeypatch.setenv("AICC_BASE_URL", "http://127.0.0.1:8081/aicc")
    monkeypatch.setenv("AICC_APP_KEY", "key")
    monkeypatch.setenv("AICC_APP_SECRET", "secret")
    monkeypatch.setenv("AICC_IDEMPOTENCY_DB", str(tmp_path / "keys.sqlite3"))
    monkeypatch.setenv("AICC_TIMEOUT_SECONDS", "4.5")
    monkeypatch.chdir(REPO)

    backend = get_backend()

    assert isinstance(backend, AiccBackend)
    assert get_backend() is backend
    assert get_aicc_http().timeout.read == 4.5
    assert (tmp_path / "keys.sqlite3").exists()


def test_missing_credentials_are_named(tmp_path: Path) -> None:
    settings = aicc_settings(tmp_path, aicc_app_key=None, aicc_app_secret=None)

    with pytest.raises(BackendNotConfigured, match="needs AICC_APP_KEY and AICC_APP_SECRET"):
        build_aicc_backend(CASES, settings, get_aicc_http())


def test_a_case_type_missing_from_the_file_is_refused(tmp_path: Path) -> None:
    settings = aicc_settings(tmp_path, aicc_case_type="nosuchtype")

    with pytest.raises(BackendNotConfigured, match="AICC_CASE_TYPE=nosuchtype is not in"):
        build_aicc_backend(CASES, settings, get_aicc_http())


def test_with_the_action_servers_database_the_keys_live_in_postgresql(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, postgres: PostgresServer, postgres_url: str
) -> None:
    monkeypatch.setenv("CASE_BACKEND", "aicc")
    monkeypatch.setenv("ACTIONS_DATABASE_URL", postgres_url)
    monkeypatch.setenv("AICC_IDEMPOTENCY_DB", str(tmp_path / "keys.sqlite3"))
    try:
        keys = get_idempotency_store()
        keys.begin("key-1", "digest")
        again = get_idempotency_store()
    finally:
        shared_pool(postgres_url).close()
        shared_pool.cache_clear()
        get_idempotency_store.cache_clear()

    assert isinstance(keys, PostgresIdempotencyStore)
    assert again is keys
    database = postgres_url.rsplit("/", 1)[1]
    assert postgres.psql(database, "SELECT key, digest FROM casebot.aicc_idempotency") == (
        "key-1|digest\n"
    )
    assert not (tmp_path / "keys.sqlite3").exists()
