"""AICC's idempotency keys, on each store: the SQLite file and PostgreSQL.

``open_keys`` opens the same keys once more each time it is called, as another action server
would (on PostgreSQL with a pool of its own, in a fresh database per test).
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cases.aicc.idempotency import IdempotencyStore, SqliteIdempotencyStore, Submission
from cases.aicc.idempotency_postgres import PostgresIdempotencyStore
from cases.backend import BackendUnavailable
from common.postgres import Pool, open_pool
from tests.support.services import PostgresServer, free_port
from tests.unit.cases.aicc.aicc_fake import FakeAicc, backend, draft

DAY = 86_400.0
OpenKeys = Callable[[], IdempotencyStore]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgres"])
def open_keys(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[OpenKeys]:
    url = str(request.getfixturevalue("postgres_url")) if request.param == "postgres" else None
    pools: list[Pool] = []

    def open_one() -> IdempotencyStore:
        if url is None:
            return SqliteIdempotencyStore(tmp_path / "keys.sqlite3", clock)
        pools.append(open_pool(url))
        return PostgresIdempotencyStore(pools[-1], clock)

    yield open_one
    for pool in pools:
        pool.close()


def test_the_first_create_noted_under_a_key_stays_whoever_notes_it_again(
    open_keys: OpenKeys,
) -> None:
    here, there = open_keys(), open_keys()

    here.begin("key-1", "digest-a")
    there.begin("key-1", "digest-b")

    assert here.get("key-1") == there.get("key-1") == Submission("digest-a", None)
    assert here.get("key-2") is None


def test_the_case_a_key_made_is_known_to_every_store_on_the_same_keys(open_keys: OpenKeys) -> None:
    here, there = open_keys(), open_keys()
    here.begin("key-1", "digest-a")

    here.finish("key-1", "41")

    assert there.get("key-1") == Submission("digest-a", "41")


def test_keys_past_their_retention_are_purged_and_recent_ones_kept(
    open_keys: OpenKeys, clock: Clock
) -> None:
    keys = open_keys()
    keys.begin("old", "d")
    keys.finish("old", "41")
    keys.begin("old-pending", "d")
    clock.now += 20 * DAY
    keys.begin("recent", "d")
    clock.now += 11 * DAY

    assert keys.purge(30 * DAY) == 2

    assert keys.get("old") is None
    assert keys.get("old-pending") is None
    assert keys.get("recent") == Submission("d", None)


def test_a_key_file_from_before_keys_were_purged_keeps_its_keys_for_a_full_retention(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "keys.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE aicc_idempotency"
            " (key TEXT PRIMARY KEY, digest TEXT NOT NULL, case_id TEXT)"
        )
        old.execute("INSERT INTO aicc_idempotency VALUES ('key-1', 'd', '41')")
    old.close()

    keys = SqliteIdempotencyStore(path, clock)
    clock.now += 29 * DAY
    kept = keys.purge(30 * DAY)
    clock.now += 2 * DAY

    assert kept == 0
    assert keys.get("key-1") == Submission("d", "41")
    assert keys.purge(30 * DAY) == 1


def test_keys_the_server_lost_stop_every_create_rather_than_risk_a_second_case(
    postgres: PostgresServer, postgres_url: str, tmp_path: Path
) -> None:
    pool = open_pool(postgres_url, timeout=1)
    keys = PostgresIdempotencyStore(pool)
    database = postgres_url.rsplit("/", 1)[1]
    postgres.psql("postgres", f'DROP DATABASE "{database}" WITH (FORCE)')
    fake = FakeAicc()

    try:
        with pytest.raises(BackendUnavailable):
            keys.begin("key-1", "d")
        with pytest.raises(BackendUnavailable):
            asyncio.run(backend(fake, tmp_path, store=keys).create_case(draft(), "key-1"))
    finally:
        pool.close()

    assert fake.sent("create") == []


def test_keys_on_a_server_that_is_down_are_built_and_refuse_their_first_use(
    tmp_path: Path,
) -> None:
    pool = open_pool(f"postgresql://casebot:pw@127.0.0.1:{free_port()}/casebot", timeout=1)
    try:
        # what building the back end (its /ready, its first action) does: nothing waits yet
        keys = PostgresIdempotencyStore(pool)
        with pytest.raises(BackendUnavailable):
            keys.get("key-1")
        with pytest.raises(BackendUnavailable):
            keys.purge(DAY)
    finally:
        pool.close()


class SlowKeys:
    """Keys whose every call blocks, as a database far away does."""

    def __init__(self, inner: IdempotencyStore, seconds: float) -> None:
        self._inner = inner
        self._seconds = seconds

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        def slow(*args: Any) -> Any:
            time.sleep(self._seconds)
            return method(*args)

        return slow


async def test_a_create_over_slow_keys_leaves_the_event_loop_free(
    open_keys: OpenKeys, tmp_path: Path
) -> None:
    keys = open_keys()
    aicc = backend(FakeAicc(), tmp_path, store=SlowKeys(keys, 0.1))  # type: ignore[arg-type]
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    case = await aicc.create_case(draft(), "key-1")
    ticker.cancel()

    digest = hashlib.sha256(draft().model_dump_json().encode()).hexdigest()
    assert keys.get("key-1") == Submission(digest, case.case_id)
    # get, begin and finish each held the keys 0.1 s
    assert ticks >= 15
