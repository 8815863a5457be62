"""SQLite files opened the one way casebot uses them: autocommit, write-ahead log, busy timeout.

Every store that keeps state in a SQLite file (the gateway's queues, the action server's outbox,
AICC's idempotency keys, the sandbox's services) opens it with ``connect``, so they all behave
alike when several processes share one file: readers never wait for the writer (WAL), and a
writer waits ``timeout`` seconds for another one's lock before giving up with "database is
locked". ``transaction`` runs a block as one write transaction on such a connection.
"""

from __future__ import annotations

import sqlite3
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
