"""The outbox's tests run on each store: the SQLite file and PostgreSQL.

``open_outbox`` opens the same outbox once more each time it is called, as another action
server would: on SQLite a new object over the same file, on PostgreSQL a new object over a
pool of its own (another machine), in a fresh database per test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from actions.outbox.postgres import PostgresOutbox
from actions.outbox.sqlite import SqliteOutbox
from actions.outbox.store import Outbox
from common.postgres import Pool, open_pool


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


OpenOutbox = Callable[[], Outbox]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """``None`` for the SQLite files, else a fresh PostgreSQL database."""
    return str(request.getfixturevalue("postgres_url")) if request.param == "postgres" else None


@pytest.fixture
def new_pool(database_url: str | None) -> Iterator[Callable[[], Pool]]:
    """Opens another pool on ``database_url`` (another machine's); all closed at the end."""
    pools: list[Pool] = []

    def open_one() -> Pool:
        assert database_url is not None
        pools.append(open_pool(database_url))
        return pools[-1]

    yield open_one
    for pool in pools:
        pool.close()


@pytest.fixture
def open_outbox(
    database_url: str | None, new_pool: Callable[[], Pool], tmp_path: Path, clock: Clock
) -> OpenOutbox:
    def open_one() -> Outbox:
        if database_url is None:
            return SqliteOutbox(tmp_path / "outbox.sqlite3", clock=clock)
        return PostgresOutbox(new_pool(), clock=clock)

    return open_one


@pytest.fixture
def outbox(open_outbox: OpenOutbox) -> Outbox:
    return open_outbox()
