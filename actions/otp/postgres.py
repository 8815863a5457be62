"""One-time codes in PostgreSQL (``ACTIONS_DATABASE_URL``), shared by action servers anywhere.

The same ``CodeStore`` as the SQLite file, in ``casebot.otp_codes`` and ``casebot.otp_requests``,
so a code asked for through one action server is checked by whichever takes the next turn, and
the tries and the hourly limits are counted once across all of them:

- a try locks the conversation's code row (``SELECT ... FOR UPDATE``) for the one transaction
  that reads, compares and spends it, so tries typed at once on two servers wait for each other
  and never spend more than ``OTP_MAX_TRIES`` between them;
- a request takes a transaction-scoped advisory lock on its case reference and on its
  conversation (in a fixed order, so two requests never wait on each other in a circle) before
  it counts and records, so two requests at once cannot both slip in under a limit.

Times are the action servers' clocks (seconds since the epoch), as with SQLite, so their clocks
must agree to well within a code's life; NTP does. The tables are made at the store's first
use, in the thread that uses it, so building the store never waits for the server.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from psycopg import Connection, sql
from psycopg.rows import TupleRow

from actions.otp.store import LIMIT_WINDOW_SECONDS, Attempt, Code, Limits, Verdict
from common.erasure import Person
from common.postgres import Pool, create_tables, table

CODES = table("otp_codes")
REQUESTS = table("otp_requests")

_SCHEMA = sql.SQL(
    """
CREATE TABLE IF NOT EXISTS {codes} (
    conversation_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    digest BYTEA NOT NULL,
    live BOOLEAN NOT NULL,
    tries_left INTEGER NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS otp_codes_expiry ON {codes} (expires_at);
CREATE TABLE IF NOT EXISTS {requests} (
    id BIGSERIAL PRIMARY KEY,
    case_key TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS otp_requests_case ON {requests} (case_key, at);
CREATE INDEX IF NOT EXISTS otp_requests_sender ON {requests} (conversation_id, at);
CREATE INDEX IF NOT EXISTS otp_requests_at ON {requests} (at);
"""
).format(codes=CODES, requests=REQUESTS)

_KEEP = sql.SQL(
    "INSERT INTO {} (conversation_id, handle, digest, live, tries_left, expires_at)"
    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (conversation_id) DO UPDATE SET"
    " handle = EXCLUDED.handle, digest = EXCLUDED.digest, live = EXCLUDED.live,"
    " tries_left = EXCLUDED.tries_left, expires_at = EXCLUDED.expires_at"
).format(CODES)


_COUNT = sql.SQL("INSERT INTO {} (case_key, conversation_id, at) VALUES (%s, %s, %s)").format(
    REQUESTS
)


class PostgresCodeStore:
    """``CodeStore`` in ``pool``'s database (the pool's owner closes it)."""

    def __init__(self, pool: Pool, clock: Callable[[], float] = time.time) -> None:
        self._pool = pool
        self._clock = clock
        self._lock = threading.Lock()
        self._made = False

    @contextmanager
    def _transaction(self) -> Iterator[Connection[TupleRow]]:
        """A connection inside one transaction, the tables made first."""
        with self._lock:
            if not self._made:
                create_tables(self._pool, _SCHEMA)
                self._made = True
        with self._pool.connection() as conn, conn.transaction():
            yield conn

    def issue(self, code: Code, case_key: str, limits: Limits) -> bool:
        """Count a request and keep ``code``, replacing the conversation's; ``False`` over a limit.

        A request over a limit is neither counted nor kept, and the code waiting stays.
        """
        now = self._clock()
        since = now - LIMIT_WINDOW_SECONDS
        with self._transaction() as conn:
            # sorted, so every request takes its two locks in the same order
            for name in sorted((f"otp case {case_key}", f"otp sender {code.conversation_id}")):
                conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (name,))
            row = conn.execute(
                sql.SQL(
                    "SELECT COUNT(*) FILTER (WHERE case_key = %s),"
                    " COUNT(*) FILTER (WHERE conversation_id = %s)"
                    " FROM {} WHERE (case_key = %s OR conversation_id = %s) AND at > %s"
                ).format(REQUESTS),
                (case_key, code.conversation_id, case_key, code.conversation_id, since),
            ).fetchone()
            by_case, by_sender = row if row is not None else (0, 0)
            if by_case >= limits.per_case or by_sender >= limits.per_sender:
                return False
            conn.execute(_COUNT, (case_key, code.conversation_id, now))
            conn.execute(
                _KEEP,
                (
                    code.conversation_id,
                    code.handle,
                    code.digest,
                    code.live,
                    code.tries_left,
                    code.expires_at,
                ),
            )
        return True

    def attempt(self, conversation_id: str, offered: bytes) -> Attempt:
        """Try ``offered`` against the conversation's code, spending one try; a right one goes."""
        now = self._clock()
        with self._transaction() as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT handle, digest, live, tries_left, expires_at FROM {}"
                    " WHERE conversation_id = %s FOR UPDATE"
                ).format(CODES),
                (conversation_id,),
            ).fetchone()
            if row is None:
                return Attempt(Verdict.NONE)
            handle, digest, live, tries_left, expires_at = row
            if expires_at <= now:
                self._forget(conn, conversation_id)
                return Attempt(Verdict.EXPIRED)
            if tries_left <= 0:
                return Attempt(Verdict.LOCKED)
            # compared whether or not the code was sent, so both take the same time
            same = hmac.compare_digest(bytes(digest), offered)
            if same and live:
                self._forget(conn, conversation_id)
                return Attempt(Verdict.RIGHT, tries_left - 1, handle)
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET tries_left = tries_left - 1 WHERE conversation_id = %s"
                ).format(CODES),
                (conversation_id,),
            )
            return Attempt(Verdict.WRONG, tries_left - 1)

    def purge(self) -> int:
        """Remove expired codes and requests past the limits' window; how many went."""
        now = self._clock()
        with self._transaction() as conn:
            codes = conn.execute(
                sql.SQL("DELETE FROM {} WHERE expires_at <= %s").format(CODES), (now,)
            ).rowcount
            requests = conn.execute(
                sql.SQL("DELETE FROM {} WHERE at <= %s").format(REQUESTS),
                (now - LIMIT_WINDOW_SECONDS,),
            ).rowcount
        return codes + requests

    def erase(self, person: Person) -> int:
        """Remove the codes and requests of the person's conversations; how many went."""
        # ``Person.names`` is exactly this set: nothing left to confirm row by row
        names = sorted(person.addresses | person.conversations)
        removed = 0
        with self._transaction() as conn:
            for kept in (CODES, REQUESTS):
                removed += conn.execute(
                    sql.SQL("DELETE FROM {} WHERE conversation_id = ANY(%s)").format(kept),
                    (names,),
                ).rowcount
        return removed

    def _forget(self, conn: Connection[TupleRow], conversation_id: str) -> None:
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE conversation_id = %s").format(CODES), (conversation_id,)
        )
