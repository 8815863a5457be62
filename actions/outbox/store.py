"""Case submissions the back end could not take yet, kept on disk until it does.

When the back end is down, slow or throttling, ``action_create_case`` puts the submission
here with its idempotency key and tells the user the case will be filed; ``OutboxWorker``
sends it again, with the same key, until the back end answers, then has the user told. The
key makes a retry of a create that did go through (its answer lost) return the same case.

One SQLite file (``OUTBOX_DB``), safe for several action-server processes on one machine: a
submission is leased to one worker at a time, and a lease that runs out (its worker died) is
taken again. A submission filed or refused is kept ``OUTBOX_RETENTION_DAYS`` (``purge``), and
``erase`` removes one person's.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cases.backend import CaseDraft
from common import sqlite
from common.erasure import Person

State = Literal["pending", "filed", "rejected"]

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


@dataclass(frozen=True)
class Submission:
    """One case waiting in (or done with) the outbox."""

    key: str
    draft: CaseDraft
    state: State
    attempts: int
    case_ref: str | None = None
    notified: bool = False


class Outbox:
    """The durable store of case submissions."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self._clock = clock
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite.connect(self._path, timeout=30)
        try:
            yield db
        finally:
            db.close()

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
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute(
                "SELECT key FROM submissions WHERE state = 'pending'"
                " AND next_attempt_at <= ? AND lease_until <= ?"
                " ORDER BY next_attempt_at, created_at LIMIT ?",
                (now, now, limit),
            ).fetchall()
            keys = [row[0] for row in rows]
            db.executemany(
                "UPDATE submissions SET lease_until = ? WHERE key = ?",
                [(now + lease_seconds, key) for key in keys],
            )
            db.execute("COMMIT")
        return [found for key in keys if (found := self.get(key)) is not None]

    def filed(self, key: str, case_ref: str) -> None:
        """The back end took it: remember the case's reference."""
        with self._connect() as db:
            db.execute(
                "UPDATE submissions SET state = 'filed', case_ref = ?, filed_at = ?,"
                " lease_until = 0, attempts = attempts + 1, last_error = NULL WHERE key = ?",
                (case_ref, self._clock(), key),
            )

    def retry_later(self, key: str, delay: float, error: str) -> None:
        """Try again in ``delay`` seconds."""
        with self._connect() as db:
            db.execute(
                "UPDATE submissions SET attempts = attempts + 1, next_attempt_at = ?,"
                " lease_until = 0, last_error = ? WHERE key = ?",
                (self._clock() + delay, error[:500], key),
            )

    def rejected(self, key: str, error: str) -> None:
        """The back end refused it for good: kept for a person to look at, never resent."""
        with self._connect() as db:
            db.execute(
                "UPDATE submissions SET state = 'rejected', attempts = attempts + 1,"
                " lease_until = 0, last_error = ? WHERE key = ?",
                (error[:500], key),
            )

    def notified(self, key: str) -> None:
        """The user was told how it ended."""
        with self._connect() as db:
            db.execute("UPDATE submissions SET notified = 1 WHERE key = ?", (key,))

    def unnotified(self, limit: int) -> list[Submission]:
        """Finished submissions whose user has not been told yet."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT key FROM submissions WHERE state != 'pending' AND notified = 0"
                " ORDER BY created_at LIMIT ?",
                (limit,),
            ).fetchall()
        return [found for (key,) in rows if (found := self.get(key)) is not None]

    def get(self, key: str) -> Submission | None:
        """The submission kept under ``key``."""
        with self._connect() as db:
            row = db.execute(
                "SELECT key, draft, state, attempts, case_ref, notified FROM submissions"
                " WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        return Submission(
            key=row[0],
            draft=CaseDraft.model_validate(json.loads(row[1])),
            state=row[2],
            attempts=row[3],
            case_ref=row[4],
            notified=bool(row[5]),
        )

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
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                doomed = [
                    (key,)
                    for key, conversation, draft in db.execute(
                        "SELECT key, conversation_id, draft FROM submissions"
                    )
                    if person.names(conversation) or person.found_in(draft)
                ]
                db.executemany("DELETE FROM submissions WHERE key = ?", doomed)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return len(doomed)
