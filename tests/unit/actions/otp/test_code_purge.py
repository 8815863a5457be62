"""The action server's housekeeping purges one-time codes: an expired code nobody typed, and the
requests its limits no longer count, go without a code being asked for or typed again, and the
code store it purges is the one the actions use (SQLite or the shared PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Iterator

import pytest

from actions.kit import server
from actions.kit.otp import OneTimeCodes, code_store, postgres_code_store, sqlite_code_store
from actions.kit.settings import ActionSettings
from actions.otp.postgres import PostgresCodeStore
from actions.otp.store import Code, CodeStore, Limits, SqliteCodeStore, Verdict
from actions.outbox.sqlite import SqliteOutbox
from cases.backend import CaseDraft
from cases.settings import CaseSettings, get_case_settings
from common.postgres import shared_pool
from tests.unit.actions.otp.conftest import Clock

RIGHT = b"r" * 32
LIMITS = Limits(per_case=1, per_sender=5)


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    cached = (get_case_settings, sqlite_code_store, postgres_code_store)
    for one in cached:
        one.cache_clear()
    yield
    for one in cached:
        one.cache_clear()


def waiting(clock: Clock, conversation: str = "webchat:a") -> Code:
    return Code(conversation, "10000001#case-1", RIGHT, True, 5, clock.now + 600)


def test_the_purge_takes_expired_codes_and_requests_past_the_hour(
    settings: ActionSettings, store: CodeStore, clock: Clock
) -> None:
    store.issue(waiting(clock), "10000001", LIMITS)
    outbox = SqliteOutbox(settings.outbox_db)
    clock.now += 600

    assert server.purge_now(settings, outbox, clock.now, codes=store)["one-time codes"] == 1
    # purged, not merely expired: the code is gone, not found expired
    assert store.attempt("webchat:a", RIGHT).verdict is Verdict.NONE
    assert not store.issue(waiting(clock, "webchat:b"), "10000001", LIMITS), "request counted"
    clock.now += 3000

    assert server.purge_now(settings, outbox, clock.now, codes=store)["one-time codes"] == 1
    assert store.issue(waiting(clock, "webchat:b"), "10000001", LIMITS)


async def test_the_housekeeping_keeps_purging_codes_while_the_server_runs(
    settings: ActionSettings, store: CodeStore, clock: Clock
) -> None:
    ours = settings.model_copy(update={"retention_purge_every_seconds": 0.01})
    outbox = SqliteOutbox(settings.outbox_db)
    task = asyncio.create_task(server.keep_purging(ours, outbox, codes=store))
    try:
        await asyncio.to_thread(store.issue, waiting(clock), "10000001", LIMITS)
        clock.now += 600  # expires while the server runs, and nobody types it
        await asyncio.sleep(0.5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    # purged by the housekeeping: not found at all, where an expired code is found expired
    assert (await asyncio.to_thread(store.attempt, "webchat:a", RIGHT)).verdict is Verdict.NONE


def codes_left(settings: ActionSettings) -> int:
    with contextlib.closing(sqlite3.connect(settings.otp_db)) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM codes").fetchone()
    return int(count)


async def test_the_action_server_purges_the_code_store_its_actions_use(
    settings: ActionSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASE_BACKEND", "connect")
    monkeypatch.delenv("ACTIONS_DATABASE_URL", raising=False)
    ours = settings.model_copy(update={"retention_purge_every_seconds": 0.01})
    past = Clock()
    past.now = time.time() - 3600
    SqliteCodeStore(ours.otp_db, clock=past).issue(waiting(past), "10000001", LIMITS)
    assert codes_left(ours) == 1

    class Notices:
        async def case_filed(self, draft: CaseDraft, case_ref: str, notice_id: str) -> bool:
            raise AssertionError("nothing was queued")

        async def case_rejected(self, draft: CaseDraft, notice_id: str) -> bool:
            raise AssertionError("nothing was queued")

    task = asyncio.create_task(server.run_outbox(ours, Notices()))
    try:
        for _ in range(300):
            await asyncio.sleep(0.01)
            if codes_left(ours) == 0:
                break
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    assert codes_left(ours) == 0


def test_with_the_action_servers_database_codes_live_in_postgresql(
    settings: ActionSettings, postgres_url: str
) -> None:
    cases = CaseSettings(actions_database_url=postgres_url)  # type: ignore[arg-type]
    try:
        store = code_store(settings, cases)
        again = OneTimeCodes(settings, cases=cases).store
        clock = Clock()
        clock.now = time.time()
        store.issue(waiting(clock), "10000001", LIMITS)
        other = PostgresCodeStore(shared_pool(postgres_url))
        found = other.attempt("webchat:a", RIGHT).verdict
    finally:
        shared_pool(postgres_url).close()
        shared_pool.cache_clear()

    assert isinstance(store, PostgresCodeStore)
    assert again is store
    assert found is Verdict.RIGHT
    assert not settings.otp_db.exists()


def test_without_it_codes_are_in_the_file(settings: ActionSettings) -> None:
    assert isinstance(code_store(settings, CaseSettings()), SqliteCodeStore)
