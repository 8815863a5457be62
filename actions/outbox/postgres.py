"""The outbox in PostgreSQL (``ACTIONS_DATABASE_URL``), shared by action servers on many machines.

A worker leases due submissions with one statement, ``SELECT ... FOR UPDATE SKIP LOCKED``
feeding an ``UPDATE`` of their ``lease_until``: a row another worker is leasing at that moment
is skipped, not waited for, and one it leased is not due until the lease runs out, so two
action servers never send one submission at once, and the lease of one that died is taken
again. Times are the action servers' clocks (seconds since the epoch), as with SQLite, so the
machines' clocks must agree to well within a lease (two minutes); NTP does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from psycopg import sql

from actions.outbox.store import COLUMNS, ERROR_MAX_CHARS, Submission, submission_of
from cases.backend import CaseDraft
from common.erasure import Person
from common.postgres import Pool, create_tables, table

TABLE = table("outbox_submissions")

_SCHEMA = sql.SQL(
    """
CREATE TABLE IF NOT EXISTS {t} (
    key TEXT PRIMARY KEY,
    draft TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DOUBLE PRECISION NOT NULL,
    lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
    last_error TEXT,
    case_ref TEXT,
    notified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DOUBLE PRECISION NOT NULL,
    filed_at DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS outbox_submissions_due ON {t} (state, next_attempt_at);
"""
).format(t=TABLE)

_TAKE_DUE = sql.SQL(
    """
WITH due AS (
    SELECT key FROM {t}
    WHERE state = 'pending' AND next_attempt_at <= %(now)s AND lease_until <= %(now)s
    ORDER BY next_attempt_at, created_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE {t} AS s SET lease_until = %(until)s FROM due WHERE s.key = due.key
RETURNING s.key, s.draft, s.state, s.attempts, s.case_ref, s.notified,
    s.next_attempt_at, s.created_at
"""
).format(t=TABLE)


class PostgresOutbox:
    """``Outbox`` in the ``casebot.outbox_submissions`` table of ``pool``'s database."""

    def __init__(self, pool: Pool, clock: Callable[[], float] = time.time) -> None:
        self._pool = pool
        self._clock = clock
        create_tables(pool, _SCHEMA)

    def put(self, draft: CaseDraft, key: str) -> bool:
        """Keep ``draft`` under ``key``, due now; whether it was new (a key is kept once)."""
        now = self._clock()
        with self._pool.connection() as conn:
            cursor = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (key, draft, conversation_id, next_attempt_at, created_at)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING"
                ).format(TABLE),
                (key, draft.model_dump_json(), draft.conversation_id, now, now),
            )
            return cursor.rowcount == 1

    def take_due(self, limit: int, lease_seconds: float) -> list[Submission]:
        """Lease up to ``limit`` pending submissions whose time has come (oldest first)."""
        now = self._clock()
        with self._pool.connection() as conn:
            rows = conn.execute(
                _TAKE_DUE, {"now": now, "limit": limit, "until": now + lease_seconds}
            ).fetchall()
        # RETURNING keeps no order: the oldest go first, as the lease chose them
        rows.sort(key=lambda row: (row[6], row[7]))
        return [submission_of(row) for row in rows]

    def filed(self, key: str, case_ref: str) -> None:
        """The back end took it: remember the case's reference."""
        self._execute(
            "UPDATE {} SET state = 'filed', case_ref = %s, filed_at = %s, lease_until = 0,"
            " attempts = attempts + 1, last_error = NULL WHERE key = %s",
            (case_ref, self._clock(), key),
        )

    def retry_later(self, key: str, delay: float, error: str) -> None:
        """Try again in ``delay`` seconds (unless it was filed meanwhile)."""
        self._execute(
            "UPDATE {} SET attempts = attempts + 1, next_attempt_at = %s, lease_until = 0,"
            " last_error = %s WHERE key = %s AND state = 'pending'",
            (self._clock() + delay, error[:ERROR_MAX_CHARS], key),
        )

    def rejected(self, key: str, error: str) -> None:
        """The back end refused it for good: kept for a person to look at, never resent."""
        self._execute(
            "UPDATE {} SET state = 'rejected', attempts = attempts + 1, lease_until = 0,"
            " last_error = %s WHERE key = %s AND state = 'pending'",
            (error[:ERROR_MAX_CHARS], key),
        )

    def notified(self, key: str) -> None:
        """The user was told how it ended."""
        self._execute("UPDATE {} SET notified = TRUE WHERE key = %s", (key,))

    def unnotified(self, limit: int) -> list[Submission]:
        """Finished submissions whose user has not been told yet."""
        with self._pool.connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT " + COLUMNS + " FROM {} WHERE state != 'pending' AND NOT notified"
                    " ORDER BY created_at LIMIT %s"
                ).format(TABLE),
                (limit,),
            ).fetchall()
        return [submission_of(row) for row in rows]

    def get(self, key: str) -> Submission | None:
        """The submission kept under ``key``."""
        with self._pool.connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT " + COLUMNS + " FROM {} WHERE key = %s").format(TABLE), (key,)
            ).fetchone()
        return None if row is None else submission_of(row)

    def depth(self) -> int:
        """How many submissions still wait for the back end."""
        with self._pool.connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT COUNT(*) FROM {} WHERE state = 'pending'").format(TABLE)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def purge(self, older_than_seconds: float) -> int:
        """Remove submissions filed or refused longer ago than that; how many went."""
        # a refused one has no time of its own: its last try is when it was refused
        return self._execute(
            "DELETE FROM {} WHERE state != 'pending'"
            " AND COALESCE(filed_at, next_attempt_at, created_at) < %s",
            (self._clock() - older_than_seconds,),
        )

    def erase(self, person: Person) -> int:
        """Remove every submission of the person's conversations or naming them; how many went.

        The server picks the rows whose conversation is theirs or whose draft holds their
        number or address anywhere; each is confirmed here (a number inside a longer one is
        someone else's) before it goes, in one transaction.
        """
        names = sorted(person.addresses | person.conversations)
        with self._pool.connection() as conn, conn.transaction():
            rows = conn.execute(
                sql.SQL(
                    "SELECT key, conversation_id, draft FROM {} WHERE conversation_id = ANY(%s)"
                    " OR EXISTS (SELECT 1 FROM unnest(%s::text[]) AS needle"
                    " WHERE strpos(lower(draft), needle) > 0) FOR UPDATE"
                ).format(TABLE),
                (names, list(person.needles)),
            ).fetchall()
            doomed = [
                key
                for key, conversation, draft in rows
                if person.names(conversation) or person.found_in(draft)
            ]
            if doomed:
                conn.execute(sql.SQL("DELETE FROM {} WHERE key = ANY(%s)").format(TABLE), (doomed,))
        return len(doomed)

    def _execute(self, statement: str, params: tuple[object, ...]) -> int:
        """Run one statement on ``TABLE`` (its ``{}``); how many rows it changed."""
        with self._pool.connection() as conn:
            return conn.execute(sql.SQL(statement).format(TABLE), params).rowcount
