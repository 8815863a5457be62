"""The action server's outbox: where it is kept, opened again until it can be, and what the
housekeeping and ``/metrics`` do when its store is away."""

from __future__ import annotations

import asyncio
import contextlib
import math
from pathlib import Path
from typing import Any

import psycopg
import pytest

from actions.kit import server
from actions.kit.services import CaseServices, outbox_at, outbox_for
from actions.kit.settings import ActionSettings
from actions.outbox.postgres import PostgresOutbox
from actions.outbox.sqlite import SqliteOutbox
from cases.aicc.factory import get_idempotency_store
from cases.aicc.idempotency import SqliteIdempotencyStore
from cases.aicc.settings import get_aicc_settings
from cases.backend import CaseDraft
from cases.settings import CaseSettings, get_case_settings
from common.postgres import open_pool, shared_pool
from tests.support.services import PostgresServer

DRAFT = CaseDraft(
    title="Parcel lost",
    description="Never arrived.",
    contact="+447700900123",
    priority="High",
    origin="WhatsApp",
    conversation_id="whatsapp:447700900123",
    channel="whatsapp",
)


@pytest.fixture(autouse=True)
def fresh_caches() -> Any:
    cached = (get_case_settings, get_aicc_settings, get_idempotency_store, outbox_at)
    for one in cached:
        one.cache_clear()
    yield
    for one in cached:
        one.cache_clear()


def test_with_the_action_servers_database_the_outbox_lives_in_postgresql(
    settings: ActionSettings, postgres: PostgresServer, postgres_url: str
) -> None:
    cases = CaseSettings(actions_database_url=postgres_url)  # type: ignore[arg-type]
    try:
        outbox = outbox_for(settings, cases)
        outbox.put(DRAFT, "k1")
        again = outbox_for(settings, cases)
    finally:
        shared_pool(postgres_url).close()
        shared_pool.cache_clear()

    assert isinstance(outbox, PostgresOutbox)
    assert again is outbox
    database = postgres_url.rsplit("/", 1)[1]
    assert postgres.psql(database, "SELECT key FROM casebot.outbox_submissions") == "k1\n"
    assert not settings.outbox_db.exists()


def test_without_it_the_outbox_is_the_file(settings: ActionSettings) -> None:
    assert isinstance(outbox_for(settings, CaseSettings()), SqliteOutbox)


async def test_a_submission_the_outbox_server_cannot_take_asks_the_user_to_retry(
    settings: ActionSettings, postgres: PostgresServer, postgres_url: str
) -> None:
    pool = open_pool(postgres_url, timeout=1)
    services = CaseServices(settings=settings, outbox=PostgresOutbox(pool))
    postgres.psql("postgres", f'DROP DATABASE "{postgres_url.rsplit("/", 1)[1]}" WITH (FORCE)')

    try:
        kept = await services.keep_for_later(DRAFT, "k1")
    finally:
        pool.close()

    assert kept is False


@pytest.mark.parametrize("backend", ["connect", "aicc"])
def test_the_housekeeping_purges_the_idempotency_keys_on_every_back_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend: str
) -> None:
    # AICC's create keys, and on every back end the keys of chat transcripts already filed
    monkeypatch.setenv("AICC_IDEMPOTENCY_DB", str(tmp_path / "keys.sqlite3"))
    monkeypatch.setenv("AICC_IDEMPOTENCY_RETENTION_DAYS", "3")
    monkeypatch.setenv("CASE_BACKEND", backend)
    get_case_settings.cache_clear()
    get_aicc_settings.cache_clear()
    get_idempotency_store.cache_clear()
    keys, days = server.idempotency_keys()

    assert isinstance(keys, SqliteIdempotencyStore)
    assert keys is get_idempotency_store(), "the back end's own keys"
    assert days == 3
    get_idempotency_store.cache_clear()


class Away:
    """An outbox whose server is away."""

    def depth(self) -> int:
        raise psycopg.OperationalError("server closed the connection")


def test_the_depth_of_an_outbox_whose_server_is_away_is_not_a_number() -> None:
    assert math.isnan(server.depth_of(Away()))  # type: ignore[arg-type]


async def test_an_outbox_that_cannot_be_opened_at_start_is_opened_again_until_it_can(
    settings: ActionSettings, monkeypatch: pytest.MonkeyPatch, backend: Any
) -> None:
    outbox = SqliteOutbox(settings.outbox_db)
    outbox.put(DRAFT, "k1")
    tries: list[int] = []

    def opening(*args: Any) -> SqliteOutbox:
        tries.append(1)
        if len(tries) < 3:
            raise psycopg.OperationalError("connection refused")
        return outbox

    monkeypatch.setattr(server, "outbox_for", opening)
    monkeypatch.setattr(server, "get_backend", lambda: backend)
    monkeypatch.setattr(server, "REOPEN_SECONDS", 0.01)
    monkeypatch.setenv("CASE_BACKEND", "connect")
    told: list[str] = []

    class Notices:
        async def case_filed(self, draft: CaseDraft, case_ref: str, notice_id: str) -> bool:
            told.append(case_ref)
            return True

        async def case_rejected(self, draft: CaseDraft, notice_id: str) -> bool:
            raise AssertionError("the case was filed")

    task = asyncio.create_task(server.run_outbox(settings, Notices()))
    for _ in range(500):
        if told:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

    assert len(tries) == 3
    assert outbox.get("k1").state == "filed"  # type: ignore[union-attr]
    assert len(told) == 1
