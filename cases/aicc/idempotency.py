"""Idempotency key -> AICC caseId, since AICC takes no client token: the ``IdempotencyStore``.

A key is written as pending (with a digest of its draft) before the create is sent, if it is
not there already (insert-if-absent), and gets its caseId once AICC answers, so a retry finds
the case instead of filing a second one. A key is kept ``AICC_IDEMPOTENCY_RETENTION_DAYS``
after it was written (``purge``, the action server's housekeeping). Two stores keep them: a
SQLite file (``SqliteIdempotencyStore``, ``AICC_IDEMPOTENCY_DB``), the single-machine default,
and PostgreSQL (``cases.aicc.idempotency_postgres``, ``ACTIONS_DATABASE_URL``), shared by
every action server. A store that cannot be reached raises ``BackendUnavailable``: no create
is sent that a retry could not recognise. Every method blocks; the back end calls them in a
thread.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cases.backend import BackendUnavailable
from common import sqlite


@dataclass(frozen=True)
class Submission:
    """What is known of a key: its draft's digest and the case, once created."""

    digest: str
    case_id: str | None


class IdempotencyStore(Protocol):
    """Keys and the cases they made, kept across restarts."""

    def get(self, key: str) -> Submission | None:
        """The submission under ``key``, if any."""
        ...

    def begin(self, key: str, digest: str) -> None:
        """Note that a create under ``key`` is about to be sent (a key noted before stays)."""
        ...

    def finish(self, key: str, case_id: str) -> None:
        """Record the case the create under ``key`` made."""
        ...

    def purge(self, older_than_seconds: float) -> int:
        """Remove keys written longer ago than that; how many went."""
        ...


@contextmanager
def unavailable_on(errors: tuple[type[Exception], ...]) -> Iterator[None]:
    """Raise ``BackendUnavailable`` for any of ``errors``: the keys cannot be trusted now."""
    try:
        yield
    except errors as exc:
        raise BackendUnavailable(f"idempotency keys unreachable ({type(exc).__name__})") from exc


_SCHEMA = """
CREATE TABLE IF NOT EXISTS aicc_idempotency (
    key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    case_id TEXT,
    created_at REAL
)
"""


class SqliteIdempotencyStore:
    """``IdempotencyStore`` in the SQLite file ``path`` (``:memory:`` for none)."""

    def __init__(self, path: Path | str, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._db = sqlite.connect(path, shared=True)
        self._db.execute(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(aicc_idempotency)")}
        if "created_at" not in columns:
            # a file from before keys were purged: its keys count from now
            self._db.execute("ALTER TABLE aicc_idempotency ADD COLUMN created_at REAL")
        self._db.execute(
            "UPDATE aicc_idempotency SET created_at = ? WHERE created_at IS NULL", (clock(),)
        )

    def get(self, key: str) -> Submission | None:
        """The submission under ``key``, if any."""
        with self._lock, unavailable_on((sqlite3.Error,)):
            row = self._db.execute(
                "SELECT digest, case_id FROM aicc_idempotency WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else Submission(digest=row[0], case_id=row[1])

    def begin(self, key: str, digest: str) -> None:
        """Note that a create under ``key`` is about to be sent."""
        with self._lock, unavailable_on((sqlite3.Error,)):
            self._db.execute(
                "INSERT OR IGNORE INTO aicc_idempotency (key, digest, created_at) VALUES (?, ?, ?)",
                (key, digest, self._clock()),
            )

    def finish(self, key: str, case_id: str) -> None:
        """Record the case the create under ``key`` made."""
        with self._lock, unavailable_on((sqlite3.Error,)):
            self._db.execute(
                "UPDATE aicc_idempotency SET case_id = ? WHERE key = ?", (case_id, key)
            )

    def purge(self, older_than_seconds: float) -> int:
        """Remove keys written longer ago than that; how many went."""
        with self._lock:
            return int(
                self._db.execute(
                    "DELETE FROM aicc_idempotency WHERE created_at < ?",
                    (self._clock() - older_than_seconds,),
                ).rowcount
            )

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()
