"""AICC's idempotency keys in PostgreSQL (``ACTIONS_DATABASE_URL``), shared by every action server.

The same ``IdempotencyStore`` as the SQLite file, in the ``casebot.aicc_idempotency`` table: a
key is inserted if absent (``ON CONFLICT DO NOTHING``), so the first create noted under it
stays, whichever machine sends a retry. Times are the action server's clock. The table is
made at the store's first use, in the thread that uses it (the housekeeping's purge at start),
so building the back end never waits for the server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg import Connection, sql
from psycopg.rows import TupleRow

from cases.aicc.idempotency import Submission, unavailable_on
from common.postgres import Pool, create_tables, table

TABLE = table("aicc_idempotency")

_SCHEMA = sql.SQL(
    """
CREATE TABLE IF NOT EXISTS {t} (
    key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    case_id TEXT,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS aicc_idempotency_created ON {t} (created_at);
"""
).format(t=TABLE)


class PostgresIdempotencyStore:
    """``IdempotencyStore`` in ``pool``'s database (the pool's owner closes it)."""

    def __init__(self, pool: Pool, clock: Callable[[], float] = time.time) -> None:
        self._pool = pool
        self._clock = clock
        self._lock = threading.Lock()
        self._made = False

    @contextmanager
    def _connection(self) -> Iterator[Connection[TupleRow]]:
        """A connection, the table made first; any failure is ``BackendUnavailable``."""
        with unavailable_on((psycopg.Error,)):
            with self._lock:
                if not self._made:
                    create_tables(self._pool, _SCHEMA)
                    self._made = True
            with self._pool.connection() as conn:
                yield conn

    def get(self, key: str) -> Submission | None:
        """The submission under ``key``, if any."""
        with self._connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT digest, case_id FROM {} WHERE key = %s").format(TABLE), (key,)
            ).fetchone()
        return None if row is None else Submission(digest=row[0], case_id=row[1])

    def begin(self, key: str, digest: str) -> None:
        """Note that a create under ``key`` is about to be sent."""
        with self._connection() as conn:
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (key, digest, created_at) VALUES (%s, %s, %s)"
                    " ON CONFLICT (key) DO NOTHING"
                ).format(TABLE),
                (key, digest, self._clock()),
            )

    def finish(self, key: str, case_id: str) -> None:
        """Record the case the create under ``key`` made."""
        with self._connection() as conn:
            conn.execute(
                sql.SQL("UPDATE {} SET case_id = %s WHERE key = %s").format(TABLE),
                (case_id, key),
            )

    def purge(self, older_than_seconds: float) -> int:
        """Remove keys written longer ago than that; how many went."""
        with self._connection() as conn:
            return conn.execute(
                sql.SQL("DELETE FROM {} WHERE created_at < %s").format(TABLE),
                (self._clock() - older_than_seconds,),
            ).rowcount
