"""The outbox in one SQLite file (``OUTBOX_DB``): the single-machine default.

Safe for several action-server processes on one machine: a lease is taken inside a write
transaction (``BEGIN IMMEDIATE``), so two workers never lease one submission at once. Each
call opens its own connection, so any thread may call it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from actions.outbox.store import COLUMNS, ERROR_MAX_CHARS, Submission, submission_of
from cases.backend import CaseDraft
from common import sqlite
from common.erasure import Person

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    key TEXT PRIMARY KEY,
    draft TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    case_ref TEXT,
    notified INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    filed_at REAL
);
CREATE INDEX IF NOT EXISTS submissions_due ON submissions (state, next_attempt_at);
"""


class SqliteOutbox(sqlite.FileStore):
    """``Outbox`` in the SQLite file ``path``."""

    SCHEMA = _SCHEMA

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        super().__init__(path)

    def put(self, draft: CaseDraft, key: str) -> bool:
        """Keep ``draft`` under ``key``, due now; whether it was new (a key is kept once)."""
        now = self._clock()
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO submissions"
                " (key, draft, conversation_id, next_attempt_at, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, draft.model_dump_json(), draft.conversation_id, now, now),
            )
            return cursor.rowcount == 1

    def take_due(self, limit: int, lease_seconds: float) -> list[Submission]:
        """Lease up to ``limit`` pending submissions whose time has come (oldest first)."""
        now = self._clock()
        with self._write() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM submissions WHERE state = 'pending'"
                " AND next_attempt_at <= ? AND lease_until <= ?"
                " ORDER BY next_attempt_at, created_at LIMIT ?",
                (now, now, limit),
            ).fetchall()
            db.executemany(
                "UPDATE submissions SET lease_until = ? WHERE key = ?",
                [(now + lease_seconds, row[0]) for row in rows],
            )
        return [submission_of(row) for row in rows]

    def filed(self, key: str, case_ref: str) -> None:
        """The back end took it: remember the case's reference."""
        with self._connect() as db:
            db.execute(
                "UPDATE submissions SET state = 'filed', case_ref = ?, filed_at = ?,"
                " lease_until = 0, attempts = attempts + 1, last_error = NULL WHERE key = ?",
                (case_ref, self._clock(), key),
            )

    def retry_later(self, key: str, delay: float, error: str) -> None:
        """Try again in ``delay`` seconds (unless it was filed meanwhile)."""
        with self._connect() as db:
            db.execute(
                "UPDATE submissions SET attempts = attempts + 1, next_attempt_at = ?,"
                " lease_until = 0, last_error = ? WHERE key = ? AND state = 'pending'",
                (self._clock() + delay, error[:ERROR_MAX_CHARS], key),
            )

    def rejected(self, key: str, error: str) -> None:
        """The back end refused it for good: kept for a person to look at, never resent."""
        with self._connect() as db:
            db.execute(
                "UPDATE submissions SET state = 'rejected', attempts = attempts + 1,"
                " lease_until = 0, last_error = ? WHERE key = ? AND state = 'pending'",
                (error[:ERROR_MAX_CHARS], key),
            )

    def notified(self, key: str) -> None:
        """The user was told how it ended."""
        with self._connect() as db:
            db.execute("UPDATE submissions SET notified = 1 WHERE key = ?", (key,))

    def unnotified(self, limit: int) -> list[Submission]:
        """Finished submissions whose user has not been told yet."""
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM submissions WHERE state != 'pending' AND notified = 0"
                " ORDER BY created_at LIMIT ?",
                (limit,),
            ).fetchall()
        return [submission_of(row) for row in rows]

    def get(self, key: str) -> Submission | None:
        """The submission kept under ``key``."""
        with self._connect() as db:
            row = db.execute(f"SELECT {COLUMNS} FROM submissions WHERE key = ?", (key,)).fetchone()
        return None if row is None else submission_of(row)

    def depth(self) -> int:
        """How many submissions still wait for the back end."""
        with self._connect() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM submissions WHERE state = 'pending'"
            ).fetchone()
        return int(count)

    def purge(self, older_than_seconds: float) -> int:
        """Remove submissions filed or refused longer ago than that; how many went."""
        cutoff = self._clock() - older_than_seconds
        with self._connect() as db:
            # a refused one has no time of its own: its last try is when it was refused
            return int(
                db.execute(
                    "DELETE FROM submissions WHERE state != 'pending'"
                    " AND COALESCE(filed_at, next_attempt_at, created_at) < ?",
                    (cutoff,),
                ).rowcount
            )

    def erase(self, person: Person) -> int:
        """Remove every submission of the person's conversations or naming them; how many went."""
        with self._write() as db:
            doomed = [
                (key,)
                for key, conversation, draft in db.execute(
                    "SELECT key, conversation_id, draft FROM submissions"
                )
                if person.names(conversation) or person.found_in(draft)
            ]
            db.executemany("DELETE FROM submissions WHERE key = ?", doomed)
        return len(doomed)
