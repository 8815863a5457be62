"""What the Twilio channel remembers: the options a user may answer by number, send outcomes.

``TwilioRecords`` is what the channel needs of them; ``TwilioStore`` keeps them in SQLite beside
the channel's queue (one machine), ``api.channels.twilio.redis_store`` in the Redis every
gateway shares. Phone numbers and message SIDs are stored, where the records need them;
message text never is. ``purge`` forgets records past their retention, ``erase`` one person's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from api.jobs.store import SqliteStore
from api.rasa import Button
from common.erasure import Person

_SCHEMA = """
CREATE TABLE IF NOT EXISTS twilio_choices (
    phone TEXT PRIMARY KEY,
    buttons TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS twilio_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    outcome TEXT NOT NULL,
    sid TEXT,
    attempts INTEGER NOT NULL,
    error_code INTEGER,
    error_message TEXT,
    at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class TwilioDelivery:
    """What became of one message the gateway tried to send."""

    phone: str
    #: sent, or failed
    outcome: str
    sid: str | None
    attempts: int
    error_code: int | None = None
    error_message: str | None = None


class TwilioRecords(Protocol):
    """The channel's records, wherever they are kept."""

    async def remember_choices(self, phone: str, buttons: Sequence[Button]) -> None:
        """The options the user was last offered; none forgets the earlier ones."""
        ...

    async def choices(self, phone: str) -> list[Button]:
        """The options the user was last offered, in order."""
        ...

    async def record_delivery(self, delivery: TwilioDelivery) -> None:
        """Keep what became of one outgoing message."""
        ...

    async def deliveries(self, phone: str) -> list[TwilioDelivery]:
        """Every outgoing message to the user, oldest first."""
        ...

    async def purge(self, older_than_seconds: float) -> int:
        """Forget send outcomes and offered choices older than that; how many went."""
        ...

    async def erase(self, person: Person) -> int:
        """Forget every record of the person's number; how many went."""
        ...

    async def close(self) -> None:
        """Release the store's resources."""
        ...


def buttons_json(buttons: Sequence[Button]) -> str:
    """Offered options as kept."""
    return json.dumps([button.model_dump() for button in buttons])


def buttons_of(data: str | None) -> list[Button]:
    """Offered options as kept, read back."""
    return [Button.model_validate(item) for item in json.loads(data)] if data else []


class TwilioStore(SqliteStore):
    """The channel's records in a SQLite file; ``clock`` gives seconds since the epoch."""

    SCHEMA = _SCHEMA

    async def remember_choices(self, phone: str, buttons: Sequence[Button]) -> None:
        """The options the user was last offered; none forgets the earlier ones."""
        data = buttons_json(buttons)
        await self._run(
            lambda db: db.execute(
                "INSERT INTO twilio_choices (phone, buttons, at) VALUES (?, ?, ?) "
                "ON CONFLICT (phone) DO UPDATE SET buttons = excluded.buttons, at = excluded.at",
                (phone, data, self._clock()),
            )
        )

    async def choices(self, phone: str) -> list[Button]:
        """The options the user was last offered, in order."""

        def work(db: sqlite3.Connection) -> str | None:
            row = db.execute(
                "SELECT buttons FROM twilio_choices WHERE phone = ?", (phone,)
            ).fetchone()
            return None if row is None else str(row[0])

        return buttons_of(await self._run(work))

    async def record_delivery(self, delivery: TwilioDelivery) -> None:
        """Keep what became of one outgoing message."""
        row = (
            delivery.phone,
            delivery.outcome,
            delivery.sid,
            delivery.attempts,
            delivery.error_code,
            delivery.error_message,
            self._clock(),
        )
        await self._run(
            lambda db: db.execute(
                "INSERT INTO twilio_deliveries (phone, outcome, sid, attempts, error_code, "
                "error_message, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        )

    async def deliveries(self, phone: str) -> list[TwilioDelivery]:
        """Every outgoing message to the user, oldest first."""

        def work(db: sqlite3.Connection) -> list[TwilioDelivery]:
            rows = db.execute(
                "SELECT phone, outcome, sid, attempts, error_code, error_message "
                "FROM twilio_deliveries WHERE phone = ? ORDER BY id",
                (phone,),
            ).fetchall()
            return [TwilioDelivery(*row) for row in rows]

        return await self._run(work)

    async def purge(self, older_than_seconds: float) -> int:
        """Forget send outcomes and offered choices older than that; how many went."""
        cutoff = self._clock() - older_than_seconds

        def work(db: sqlite3.Connection) -> int:
            return (
                db.execute("DELETE FROM twilio_deliveries WHERE at < ?", (cutoff,)).rowcount
                + db.execute("DELETE FROM twilio_choices WHERE at < ?", (cutoff,)).rowcount
            )

        return await self._write(work)

    async def erase(self, person: Person) -> int:
        """Forget every record of the person's number; how many went."""
        names = sorted(person.addresses)
        marks = ", ".join("?" for _ in names)

        def work(db: sqlite3.Connection) -> int:
            return sum(
                db.execute(f"DELETE FROM {table} WHERE phone IN ({marks})", names).rowcount
                for table in ("twilio_deliveries", "twilio_choices")
            )

        return await self._write(work)
