"""What the gateway remembers of the conversations it starts: IVR handoffs and case notices.

Each handoff or event is recorded once under its key (the contact id, the event id), so a
repeat is recognised and answered from the record; its status moves from ``accepted`` to
``sent`` or ``failed``, or is ``skipped`` with a reason when nobody can be told. The last
status seen of each case tells a change from a repeat when an event does not list what
changed. ``Records`` is what the webhooks and workers need of them; ``OutreachRecords`` keeps
them in SQLite beside the queue (one machine), ``api.outreach.redis_records`` in the Redis
every gateway shares. Phone numbers are stored, message text never is. ``purge`` forgets
records past their retention, ``erase`` one person's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol

from api.jobs.store import SqliteStore
from common.erasure import Person

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outreach_records (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    wa_id TEXT,
    case_ref TEXT,
    detail TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outreach_case_status (
    case_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Record:
    """One handoff or case event and what became of it."""

    key: str
    kind: str
    #: accepted, sent, failed or skipped
    status: str
    wa_id: str | None = None
    case_ref: str | None = None
    detail: str | None = None


class Records(Protocol):
    """The records, wherever they are kept."""

    async def add(self, record: Record) -> Record | None:
        """Keep ``record`` unless its key is known; return the earlier record if it is."""
        ...

    async def finish(
        self,
        key: str,
        status: str,
        case_ref: str | None = None,
        detail: str | None = None,
        *,
        replace_ref: bool = False,
    ) -> None:
        """Set the outcome of the record ``key`` (see ``OutreachRecords.finish``)."""
        ...

    async def get(self, key: str) -> Record | None:
        """The record kept under ``key``."""
        ...

    async def swap_case_status(
        self, case_id: str, status: str, changed_at: str
    ) -> tuple[str | None, bool]:
        """Note the case's status as of ``changed_at``: the status known before, and whether
        this one is newer (an older one changes nothing)."""
        ...

    async def purge(self, older_than_seconds: float) -> int:
        """Forget records last changed longer ago than that; how many went."""
        ...

    async def erase(self, person: Person) -> int:
        """Forget the records of handoffs and notices to the person; how many went."""
        ...

    async def close(self) -> None:
        """Release the store's resources."""
        ...


class OutreachRecords(SqliteStore):
    """The records in a SQLite file; ``clock`` gives seconds since the epoch."""

    SCHEMA = _SCHEMA

    async def add(self, record: Record) -> Record | None:
        """Keep ``record`` unless its key is known; return the earlier record if it is."""

        def work(db: sqlite3.Connection) -> Record | None:
            now = self._clock()
            inserted = db.execute(
                "INSERT OR IGNORE INTO outreach_records (key, kind, status, wa_id, case_ref, "
                "detail, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.key,
                    record.kind,
                    record.status,
                    record.wa_id,
                    record.case_ref,
                    record.detail,
                    now,
                    now,
                ),
            ).rowcount
            return None if inserted else _get(db, record.key)

        return await self._run(work)

    async def finish(
        self,
        key: str,
        status: str,
        case_ref: str | None = None,
        detail: str | None = None,
        *,
        replace_ref: bool = False,
    ) -> None:
        """Set the outcome of the record ``key``.

        The case reference known so far is kept unless ``case_ref`` gives one, or
        ``replace_ref`` says that ``case_ref`` (even ``None``) is now the one that holds.
        """
        await self._run(
            lambda db: db.execute(
                "UPDATE outreach_records SET status = ?, "
                "case_ref = CASE WHEN ? THEN ? ELSE COALESCE(?, case_ref) END, "
                "detail = ?, updated_at = ? WHERE key = ?",
                (status, replace_ref, case_ref, case_ref, detail, self._clock(), key),
            )
        )

    async def get(self, key: str) -> Record | None:
        """The record kept under ``key``."""
        return await self._run(lambda db: _get(db, key))

    async def swap_case_status(
        self, case_id: str, status: str, changed_at: str
    ) -> tuple[str | None, bool]:
        """Note the case's status as of ``changed_at`` (ISO 8601, UTC).

        Returns the status known before and whether this one is newer; an older change
        (events may come out of order) leaves the record as it was.
        """

        def work(db: sqlite3.Connection) -> tuple[str | None, bool]:
            row = db.execute(
                "SELECT status, changed_at FROM outreach_case_status WHERE case_id = ?",
                (case_id,),
            ).fetchone()
            if row is not None and str(row[1]) > changed_at:
                return str(row[0]), False
            db.execute(
                "INSERT INTO outreach_case_status (case_id, status, changed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, "
                "changed_at = excluded.changed_at",
                (case_id, status, changed_at),
            )
            return (None if row is None else str(row[0])), True

        return await self._run(work)

    async def purge(self, older_than_seconds: float) -> int:
        """Forget records last changed longer ago than that; how many went.

        The last status of each case stays: it names no one, and forgetting it would let an
        event that comes late pass for news.
        """
        cutoff = self._clock() - older_than_seconds
        return await self._write(
            lambda db: (
                db.execute("DELETE FROM outreach_records WHERE updated_at < ?", (cutoff,)).rowcount
            )
        )

    async def erase(self, person: Person) -> int:
        """Forget the records of handoffs and notices to the person; how many went."""

        def work(db: sqlite3.Connection) -> int:
            doomed = [
                (key,)
                for key, wa_id, detail in db.execute(
                    "SELECT key, wa_id, detail FROM outreach_records"
                )
                if person.names(wa_id) or person.names(key) or person.found_in(detail)
            ]
            db.executemany("DELETE FROM outreach_records WHERE key = ?", doomed)
            return len(doomed)

        return await self._write(work)


def _get(db: sqlite3.Connection, key: str) -> Record | None:
    row = db.execute(
        "SELECT key, kind, status, wa_id, case_ref, detail FROM outreach_records WHERE key = ?",
        (key,),
    ).fetchone()
    return None if row is None else Record(*row)
