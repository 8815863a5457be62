"""The outbox's tests run on each store: the SQLite file and PostgreSQL.

``open_outbox`` opens the same outbox once more each time it is called, as another action
server would: on SQLite a new object over the same file, on PostgreSQL a new object over a
pool of its own (another machine), in a fresh database per test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
def open_outbox(request: pytest.FixtureRequest, tmp_path, clock: Clock) -> Iterator[OpenOutbox]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    pools: list[Pool] = []

    def open_one() -> Outbox:
        if url is None:
            return SqliteOutbox(tmp_path / "outbox.sqlite3", clock=clock)
        pools.append(open_pool(url))
        return PostgresOutbox(pools[-1], clock=clock)

    yield open_one
    for pool in pools:
        pool.close()


@pytest.fixture
def outbox(open_outbox: OpenOutbox) -> Outbox:
    return open_outbox()
