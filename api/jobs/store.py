"""The gateway's SQLite stores: one file, one connection, each piece of work in a worker thread.

The queue, the channels' records, the webchat inbox and the outreach records all keep their
state the same way: one connection opened with ``connect`` (WAL, a 10 s busy timeout, shared by
threads), used by one thread at a time under the store's lock, every call run off the event
loop so a slow disk never stalls a conversation. A store names its tables in ``SCHEMA`` and
writes its queries as functions of the connection handed to ``_run`` (statements each commit
on their own) or ``_write`` (one ``BEGIN IMMEDIATE`` transaction).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Self, TypeVar

from common import sqlite

T = TypeVar("T")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating its folder) a SQLite file for use from worker threads, in WAL mode."""
    return sqlite.connect(path, timeout=10.0, shared=True, synchronous="NORMAL")


class SqliteStore:
    """A store in one SQLite file; ``clock`` gives seconds since the epoch."""

    #: the store's tables and indexes, created when missing
    SCHEMA: ClassVar[str]

    def __init__(self, db: sqlite3.Connection, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock
        self._lock = threading.Lock()
        db.executescript(self.SCHEMA)

    @classmethod
    def open(cls, path: Path, clock: Callable[[], float] = time.time) -> Self:
        """Open the store kept in ``path``, creating the file and its tables when missing."""
        return cls(connect(path), clock)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(db)`` in a worker thread, alone on the connection."""

        def locked() -> T:
            with self._lock:
                return work(self._db)

        return await asyncio.to_thread(locked)

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(db)`` as one write transaction, rolled back if it raises."""

        def transaction(db: sqlite3.Connection) -> T:
            with sqlite.transaction(db):
                return work(db)

        return await self._run(transaction)

    async def close(self) -> None:
        """Close the database connection."""

        def close() -> None:
            with self._lock:
                self._db.close()

        await asyncio.to_thread(close)
