"""What the WhatsApp channel remembers: delivery receipts, service windows, send outcomes.

``WhatsAppRecords`` is what the channel needs of them; ``WhatsAppStore`` keeps them in SQLite
beside the queue (one machine), ``api.channels.whatsapp.redis_store`` in the Redis every
gateway shares. Phone numbers and message ids are stored, where the records need them; message
text never is. ``purge`` forgets records past their retention, ``erase`` one person's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol

from api.jobs.store import SqliteStore
from common.erasure import Person

#: free-form messages may be sent this long after the user's last message
SERVICE_WINDOW_SECONDS = 24 * 60 * 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wa_statuses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wamid TEXT NOT NULL,
    status TEXT NOT NULL,
    recipient TEXT,
    timestamp INTEGER,
    error_code INTEGER,
    error_title TEXT,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS wa_statuses_by_wamid ON wa_statuses (wamid);
CREATE TABLE IF NOT EXISTS wa_windows (
    wa_id TEXT PRIMARY KEY,
    last_inbound_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS wa_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wa_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    wamid TEXT,
    attempts INTEGER NOT NULL,
    error_code INTEGER,
    error_title TEXT,
    at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class StatusRecord:
    """One delivery receipt."""

    wamid: str
    status: str
    recipient: str | None
    timestamp: int | None
    error_code: int | None
    error_title: str | None


@dataclass(frozen=True)
class Delivery:
    """What became of one message the gateway tried to send."""

    wa_id: str
    #: the message's type: text, interactive, image or template
    kind: str
    #: sent, or failed
    outcome: str
    wamid: str | None
    attempts: int
    error_code: int | None = None
    error_title: str | None = None


class WhatsAppRecords(Protocol):
    """The channel's records, wherever they are kept."""

    async def record_status(self, status: StatusRecord) -> None:
        """Keep one delivery receipt; receipts may come late and out of order."""
        ...

    async def statuses(self, wamid: str) -> list[StatusRecord]:
        """The receipts of one message, in the order they came."""
        ...

    async def saw_user(self, wa_id: str, at: float) -> None:
        """Note that the user wrote at ``at``; an older time never moves the window back."""
        ...

    async def window_open(self, wa_id: str) -> bool:
        """Whether free-form messages may be sent to the user now."""
        ...

    async def record_delivery(self, delivery: Delivery) -> None:
        """Keep what became of one outgoing message."""
        ...

    async def deliveries(self, wa_id: str) -> list[Delivery]:
        """Every outgoing message to the user, oldest first."""
        ...

    async def purge(self, older_than_seconds: float) -> int:
        """Forget receipts, send outcomes and windows older than that; how many went."""
        ...

    async def erase(self, person: Person) -> int:
        """Forget every record of the person's number; how many went."""
        ...

    async def close(self) -> None:
        """Release the store's resources."""
        ...


class WhatsAppStore(SqliteStore):
    """The channel's records in a SQLite file; ``clock`` gives seconds since the epoch."""

    SCHEMA = _SCHEMA

    async def record_status(self, status: StatusRecord) -> None:
        """Keep one delivery receipt; receipts may come late and out of order."""
        row = (
            status.wamid,
            status.status,
            status.recipient,
            status.timestamp,
            status.error_code,
            status.error_title,
            self._clock(),
        )
        await self._run(
            lambda db: db.execute(
                "INSERT INTO wa_statuses (wamid, status, recipient, timestamp, error_code, "
                "error_title, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        )

    async def statuses(self, wamid: str) -> list[StatusRecord]:
        """The receipts of one message, in the order they came."""

        def work(db: sqlite3.Connection) -> list[StatusRecord]:
            rows = db.execute(
                "SELECT wamid, status, recipient, timestamp, error_code, error_title "
                "FROM wa_statuses WHERE wamid = ? ORDER BY id",
                (wamid,),
            ).fetchall()
            return [StatusRecord(*row) for row in rows]

        return await self._run(work)

    async def saw_user(self, wa_id: str, at: float) -> None:
        """Note that the user wrote at ``at``; an older time never moves the window back."""
        await self._run(
            lambda db: db.execute(
                "INSERT INTO wa_windows (wa_id, last_inbound_at) VALUES (?, ?) "
                "ON CONFLICT (wa_id) DO UPDATE SET "
                "last_inbound_at = MAX(last_inbound_at, excluded.last_inbound_at)",
                (wa_id, at),
            )
        )

    async def window_open(self, wa_id: str) -> bool:
        """Whether free-form messages may be sent to the user now."""

        def work(db: sqlite3.Connection) -> float | None:
            row = db.execute(
                "SELECT last_inbound_at FROM wa_windows WHERE wa_id = ?", (wa_id,)
            ).fetchone()
            return None if row is None else float(row[0])

        last = await self._run(work)
        return last is not None and self._clock() - last < SERVICE_WINDOW_SECONDS

    async def record_delivery(self, delivery: Delivery) -> None:
        """Keep what became of one outgoing message."""
        row = (
            delivery.wa_id,
            delivery.kind,
            delivery.outcome,
            delivery.wamid,
            delivery.attempts,
            delivery.error_code,
            delivery.error_title,
            self._clock(),
        )
        await self._run(
            lambda db: db.execute(
                "INSERT INTO wa_deliveries (wa_id, kind, outcome, wamid, attempts, error_code, "
                "error_title, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        )

    async def deliveries(self, wa_id: str) -> list[Delivery]:
        """Every outgoing message to the user, oldest first."""

        def work(db: sqlite3.Connection) -> list[Delivery]:
            rows = db.execute(
                "SELECT wa_id, kind, outcome, wamid, attempts, error_code, error_title "
                "FROM wa_deliveries WHERE wa_id = ? ORDER BY id",
                (wa_id,),
            ).fetchall()
            return [Delivery(*row) for row in rows]

        return await self._run(work)

    async def purge(self, older_than_seconds: float) -> int:
        """Forget receipts, send outcomes and windows older than that; how many went."""
        now = self._clock()
        cutoff = now - older_than_seconds
        # an open window is needed whatever the retention says
        window_cutoff = min(cutoff, now - SERVICE_WINDOW_SECONDS)

        def work(db: sqlite3.Connection) -> int:
            return (
                db.execute("DELETE FROM wa_statuses WHERE received_at < ?", (cutoff,)).rowcount
                + db.execute("DELETE FROM wa_deliveries WHERE at < ?", (cutoff,)).rowcount
                + db.execute(
                    "DELETE FROM wa_windows WHERE last_inbound_at < ?", (window_cutoff,)
                ).rowcount
            )

        return await self._write(work)

    async def erase(self, person: Person) -> int:
        """Forget every record of the person's number; how many went."""
        names = sorted(person.addresses)
        marks = ", ".join("?" for _ in names)

        def work(db: sqlite3.Connection) -> int:
            return (
                db.execute(f"DELETE FROM wa_statuses WHERE recipient IN ({marks})", names).rowcount
                + db.execute(f"DELETE FROM wa_deliveries WHERE wa_id IN ({marks})", names).rowcount
                + db.execute(f"DELETE FROM wa_windows WHERE wa_id IN ({marks})", names).rowcount
            )

        return await self._write(work)
