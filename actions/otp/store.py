"""Where one-time codes wait to be typed, and the requests counted against the hourly limits.

A code is kept server-side only, as a keyed hash (``actions.otp.codes``), never in a Rasa slot:
a user can set what Rasa reads by typing ``/intent{...}``. Each conversation has at most one
code waiting; asking again replaces it. A code that went nowhere (a reference that names no
case, a contact that is not the case's) is kept all the same, ``live`` false, so typing a code
is answered alike whatever was asked: it simply never verifies.

``CodeStore`` is the shape every store has; ``SqliteCodeStore`` (``OTP_DB``) is the default,
safe for several action-server processes on one machine, and ``actions.otp.postgres`` keeps
them in the PostgreSQL every action server shares (``ACTIONS_DATABASE_URL``). Expired codes and
requests older than the limits' hour are removed by ``purge``, which the action server's
housekeeping runs (the SQLite file also whenever a code is asked for or tried). ``erase``
removes one person's conversations' rows; no contact is kept here at all. Every method blocks:
the action server calls them in a thread.
"""

from __future__ import annotations

import hmac
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

import psycopg

from common import sqlite
from common.erasure import Person

#: the window the hourly limits count requests in
LIMIT_WINDOW_SECONDS = 3600.0
#: what a store raises when it cannot be read or written (a full disk, a server down)
STORE_ERRORS: tuple[type[Exception], ...] = (OSError, sqlite3.Error, psycopg.Error)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS codes (
    conversation_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    digest BLOB NOT NULL,
    live INTEGER NOT NULL,
    tries_left INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS code_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_key TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS code_requests_case ON code_requests (case_key, at);
CREATE INDEX IF NOT EXISTS code_requests_sender ON code_requests (conversation_id, at);
"""


@dataclass(frozen=True)
class Limits:
    """Requests allowed in an hour, per case reference and per conversation."""

    per_case: int
    per_sender: int


@dataclass(frozen=True)
class Code:
    """A code waiting in one conversation: the case it opens, kept as a keyed hash."""

    conversation_id: str
    #: the case's handle (``actions.kit.handles``): the one case it opens
    handle: str
    digest: bytes
    #: whether the code was sent; one that was not never verifies
    live: bool
    tries_left: int
    expires_at: float


class Verdict(Enum):
    """What became of one code typed."""

    NONE = "none"  # no code waits in this conversation
    EXPIRED = "expired"
    LOCKED = "locked"  # no tries left
    WRONG = "wrong"
    RIGHT = "right"


@dataclass(frozen=True)
class Attempt:
    """The verdict on a typed code, the tries left after it, and the case a right one opens."""

    verdict: Verdict
    tries_left: int = 0
    handle: str | None = None


class CodeStore(Protocol):
    """What the code actions need of a store (SQLite here; any shared database fits)."""

    def issue(self, code: Code, case_key: str, limits: Limits) -> bool:
        """Count a request and keep ``code`` (the conversation's only); ``False`` over a limit."""
        ...

    def attempt(self, conversation_id: str, offered: bytes) -> Attempt:
        """Try ``offered`` (a digest) against the conversation's code, spending one try."""
        ...

    def purge(self) -> int:
        """Remove expired codes and requests past the limits' window; how many went."""
        ...

    def erase(self, person: Person) -> int:
        """Remove the codes and requests of the person's conversations; how many went."""
        ...


class SqliteCodeStore(sqlite.FileStore):
    """``CodeStore`` in one SQLite file."""

    SCHEMA = _SCHEMA

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        super().__init__(path)

    def issue(self, code: Code, case_key: str, limits: Limits) -> bool:
        """Count a request and keep ``code``, replacing the conversation's; ``False`` over a limit.

        A request over a limit is neither counted nor kept, and the code waiting stays.
        """
        now = self._clock()
        since = now - LIMIT_WINDOW_SECONDS
        with self._write() as db:
            _purge(db, now)
            (by_case,) = db.execute(
                "SELECT COUNT(*) FROM code_requests WHERE case_key = ? AND at > ?",
                (case_key, since),
            ).fetchone()
            (by_sender,) = db.execute(
                "SELECT COUNT(*) FROM code_requests WHERE conversation_id = ? AND at > ?",
                (code.conversation_id, since),
            ).fetchone()
            if by_case >= limits.per_case or by_sender >= limits.per_sender:
                return False
            db.execute(
                "INSERT INTO code_requests (case_key, conversation_id, at) VALUES (?, ?, ?)",
                (case_key, code.conversation_id, now),
            )
            db.execute(
                "INSERT OR REPLACE INTO codes"
                " (conversation_id, handle, digest, live, tries_left, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    code.conversation_id,
                    code.handle,
                    code.digest,
                    int(code.live),
                    code.tries_left,
                    code.expires_at,
                ),
            )
        return True

    def attempt(self, conversation_id: str, offered: bytes) -> Attempt:
        """Try ``offered`` against the conversation's code, spending one try; a right one goes."""
        now = self._clock()
        with self._write() as db:
            row = db.execute(
                "SELECT handle, digest, live, tries_left, expires_at FROM codes"
                " WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            if row is None:
                return Attempt(Verdict.NONE)
            handle, digest, live, tries_left, expires_at = row
            if expires_at <= now:
                db.execute("DELETE FROM codes WHERE conversation_id = ?", (conversation_id,))
                return Attempt(Verdict.EXPIRED)
            if tries_left <= 0:
                return Attempt(Verdict.LOCKED)
            # compared whether or not the code was sent, so both take the same time
            same = hmac.compare_digest(bytes(digest), offered)
            if same and live:
                db.execute("DELETE FROM codes WHERE conversation_id = ?", (conversation_id,))
                return Attempt(Verdict.RIGHT, tries_left - 1, handle)
            db.execute(
                "UPDATE codes SET tries_left = tries_left - 1 WHERE conversation_id = ?",
                (conversation_id,),
            )
            return Attempt(Verdict.WRONG, tries_left - 1)

    def purge(self) -> int:
        """Remove expired codes and requests past the limits' window; how many went."""
        with self._write() as db:
            return _purge(db, self._clock())

    def erase(self, person: Person) -> int:
        """Remove the codes and requests of the person's conversations; how many went."""
        removed = 0
        with self._write() as db:
            for table, key in (("codes", "conversation_id"), ("code_requests", "id")):
                doomed = [
                    (row_key,)
                    for row_key, conversation in db.execute(
                        f"SELECT {key}, conversation_id FROM {table}"  # noqa: S608 - fixed names
                    )
                    if person.names(conversation)
                ]
                db.executemany(f"DELETE FROM {table} WHERE {key} = ?", doomed)  # noqa: S608
                removed += len(doomed)
        return removed


def _purge(db: sqlite3.Connection, now: float) -> int:
    codes = db.execute("DELETE FROM codes WHERE expires_at <= ?", (now,)).rowcount
    requests = db.execute(
        "DELETE FROM code_requests WHERE at <= ?", (now - LIMIT_WINDOW_SECONDS,)
    ).rowcount
    return int(codes) + int(requests)
