"""SQLite files opened the one way casebot uses them: autocommit, write-ahead log, busy timeout.

Every store that keeps state in a SQLite file (the gateway's queues, the action server's outbox,
AICC's idempotency keys, the sandbox's services) opens it with ``connect``, so they all behave
alike when several processes share one file: readers never wait for the writer (WAL), and a
writer waits ``timeout`` seconds for another one's lock before giving up with "database is
locked". ``transaction`` runs a block as one write transaction on such a connection.

Two shapes of store build on it: ``SharedDatabase`` keeps one connection that threads take turns
with, and ``FileStore`` opens a connection for each call, so several processes share the file
with no lock of ours in between.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

MEMORY = ":memory:"


def connect(
    path: Path | str,
    *,
    timeout: float = 5.0,
    shared: bool = False,
    synchronous: Literal["NORMAL", "FULL"] | None = None,
    foreign_keys: bool = False,
) -> sqlite3.Connection:
    """Open ``path`` (``":memory:"`` for no file), creating its folder, in WAL and autocommit mode.

    ``timeout``: seconds a statement waits for another connection's lock (SQLite's busy
    timeout). ``shared``: threads other than this one may use the connection, one at a time
    (the caller holds a lock around each use). ``synchronous``: ``"NORMAL"`` trades the last
    transactions before a power cut for fewer fsyncs; ``None`` keeps SQLite's default (FULL).
    ``foreign_keys``: enforce the schema's ``REFERENCES``.
    """
    if str(path) != MEMORY:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=not shared)
    db.execute("PRAGMA journal_mode=WAL")
    if synchronous is not None:
        db.execute(f"PRAGMA synchronous={synchronous}")
    if foreign_keys:
        db.execute("PRAGMA foreign_keys=ON")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one write transaction: committed when it ends, rolled back if it raises.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so two connections never both read a
    row and then both change it.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class SharedDatabase:
    """A SQLite file (or ``:memory:``) opened once and shared by every thread, one at a time.

    A subclass names its ``SCHEMA`` (run at each open, so it is written ``IF NOT EXISTS``) and
    may bring an older file up to date in ``_upgrade``.
    """

    SCHEMA = ""
    #: the ``synchronous`` pragma (``None``: SQLite's default, FULL)
    SYNCHRONOUS: Literal["NORMAL", "FULL"] | None = None

    def __init__(self, path: Path | str) -> None:
        self._path = str(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def open(self) -> None:
        """Open the file, creating its folder and the schema when missing."""
        conn = connect(self._path, shared=True, synchronous=self.SYNCHRONOUS, foreign_keys=True)
        conn.row_factory = sqlite3.Row
        conn.executescript(self.SCHEMA)
        self._upgrade(conn)
        self._conn = conn

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Bring a file written by an older version up to the schema (nothing by default)."""

    def close(self) -> None:
        """Close the connection; a later ``open`` reopens the same file."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block as one transaction, committed on success and rolled back on error."""
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the database is not open")
            with transaction(self._conn) as conn:
                yield conn


class FileStore:
    """A store in a SQLite file opened for each call and closed after it, so any thread may call.

    A subclass names its ``SCHEMA`` (run when the store is made, so it is written
    ``IF NOT EXISTS``); ``TIMEOUT`` is how long a call waits for another process's write lock.
    """

    SCHEMA = ""
    TIMEOUT = 30.0

    def __init__(self, path: Path | str) -> None:
        self._path = path
        with self._connect() as db:
            db.executescript(self.SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own for the block, closed when it ends."""
        db = connect(self._path, timeout=self.TIMEOUT)
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own for the block, run as one write transaction."""
        with self._connect() as db, transaction(db):
            yield db
