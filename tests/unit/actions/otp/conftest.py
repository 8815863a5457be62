"""The code store's tests run on each store: the SQLite file and PostgreSQL; the code actions'
tests run with settings whose files are the test's own.

``open_store`` opens the same store once more each time it is called, as another action server
would: on SQLite a new object over the same file, on PostgreSQL a new object over a pool of its
own (another machine), in a fresh database per test. Every store shares the test's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from actions.kit.settings import ActionSettings
from actions.otp.postgres import PostgresCodeStore
from actions.otp.store import CodeStore, SqliteCodeStore
from common.postgres import Pool, open_pool


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


OpenStore = Callable[[], CodeStore]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def otp_settings(tmp_path: Path) -> ActionSettings:
    """Codes mailed from casebot@example.com and kept in a SQLite file of this test's."""
    return ActionSettings(
        outbox_db=tmp_path / "outbox.sqlite3",
        otp_db=tmp_path / "otp.sqlite3",
        otp_email_sender="casebot@example.com",
    )


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """``None`` for the SQLite file, else a fresh PostgreSQL database."""
    return str(request.getfixturevalue("postgres_url")) if request.param == "postgres" else None


@pytest.fixture
def open_store(database_url: str | None, tmp_path: Path, clock: Clock) -> Iterator[OpenStore]:
    pools: list[Pool] = []

    def open_one() -> CodeStore:
        if database_url is None:
            return SqliteCodeStore(tmp_path / "otp.sqlite3", clock=clock)
        pools.append(open_pool(database_url))
        return PostgresCodeStore(pools[-1], clock=clock)

    yield open_one
    for pool in pools:
        pool.close()


@pytest.fixture
def store(open_store: OpenStore) -> CodeStore:
    return open_store()
