"""Rasa's conversation store (its SQL tracker store), read and trimmed with plain SQL.

Rasa 3.6's ``SQLTrackerStore`` keeps every conversation as rows of one table, ``events``
(``id``, ``sender_id``, ``type_name``, ``timestamp``, ``intent_name``, ``action_name``,
``data`` as JSON text), in SQLite by default and in PostgreSQL beside other replicas. Our
code never imports Rasa, so this works on that table directly: ``sqlite3`` for a file,
``psycopg2`` (Rasa's own driver, in Rasa's environment) for PostgreSQL.

- ``purge``: conversations whose latest event is older than a cut-off, removed whole.
- ``find``: the conversations of a ``Person``: their channels' sender ids, and every other
  whose events hold their number or address (a webchat form's ``contact`` slot, a signed
  identity), each match confirmed on the event's text.
- ``media_paths`` and ``erase``: the files one conversation sent, and the conversation gone.

Every statement is its own short transaction, so Rasa keeps writing while this runs; a
conversation that gets an event meanwhile is not purged. Runs on Python 3.10 (Rasa's).
"""

from __future__ import annotations

import importlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from common.erasure import Person

Dialect = Literal["sqlite", "postgresql"]
#: senders removed per statement by ``purge``
BATCH = 200


@dataclass(frozen=True)
class Location:
    """Where the tracker store is: a SQLite file, or a PostgreSQL database."""

    dialect: Dialect
    db: str
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None


class TrackerStore:
    """Rasa's ``events`` table behind a DB-API connection (``sqlite3`` or ``psycopg2``)."""

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self._db = connection
        self._dialect = dialect
        self._mark = "?" if dialect == "sqlite" else "%s"
        self._contains = (
            "instr(lower(data), ?) > 0" if dialect == "sqlite" else ("strpos(lower(data), %s) > 0")
        )

    @classmethod
    def open(cls, where: Location) -> TrackerStore:
        """Connect to the store at ``where``."""
        if where.dialect == "sqlite":
            return cls(sqlite3.connect(where.db, timeout=10.0), "sqlite")
        # Rasa's environment has it (Rasa's own PostgreSQL driver); ours does not need it
        driver = importlib.import_module("psycopg2")
        connection = driver.connect(
            host=where.host,
            port=where.port,
            dbname=where.db,
            user=where.user,
            password=where.password,
        )
        return cls(connection, "postgresql")

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        cursor = self._db.cursor()
        try:
            cursor.execute(sql.replace("?", self._mark), params)
            while rows := cursor.fetchmany(1000):
                yield from rows
        finally:
            cursor.close()
            # a read holds no lock past its end: Rasa's writers never wait for it
            self._db.commit()

    def _change(self, sql: str, params: tuple[Any, ...]) -> int:
        cursor = self._db.cursor()
        try:
            cursor.execute(sql.replace("?", self._mark), params)
            changed = int(cursor.rowcount)
        except BaseException:
            self._db.rollback()
            raise
        finally:
            cursor.close()
        self._db.commit()
        return changed

    def purge(self, cutoff: float) -> tuple[int, int]:
        """Remove conversations whose latest event is older than ``cutoff``.

        Returns how many conversations and events went.
        """
        stale = [
            str(row[0])
            for row in self._rows(
                "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?",
                (cutoff,),
            )
        ]
        conversations = events = 0
        for start in range(0, len(stale), BATCH):
            batch = stale[start : start + BATCH]
            marks = ", ".join("?" for _ in batch)
            # a conversation that spoke since it was listed is kept whole
            removed = self._change(
                f"DELETE FROM events WHERE sender_id IN ({marks}) AND sender_id NOT IN "
                f"(SELECT sender_id FROM events WHERE sender_id IN ({marks}) "
                "AND timestamp >= ?)",
                (*batch, *batch, cutoff),
            )
            events += removed
            conversations += len(batch) if removed else 0
        return conversations, events

    def find(self, person: Person) -> set[str]:
        """The sender ids of the person's conversations (one pass over the table)."""
        known = sorted(person.conversations)
        clauses = [self._contains for _ in person.needles]
        params: list[str] = list(person.needles)
        if known:
            clauses.insert(0, f"sender_id IN ({', '.join('?' for _ in known)})")
            params[:0] = known
        found: set[str] = set()
        for sender, data in self._rows(
            f"SELECT sender_id, data FROM events WHERE {' OR '.join(clauses)}", tuple(params)
        ):
            if sender not in found and (sender in person.conversations or person.found_in(data)):
                found.add(str(sender))
        return found

    def media_paths(self, sender_id: str) -> set[str]:
        """The paths of the files the conversation's user sent (the gateway's media)."""
        paths: set[str] = set()
        for (data,) in self._rows("SELECT data FROM events WHERE sender_id = ?", (sender_id,)):
            try:
                event = json.loads(data or "null")
            except ValueError:
                continue
            paths.update(_file_paths(event))
        return paths

    def erase(self, sender_id: str) -> int:
        """Remove the conversation; returns how many events went."""
        return self._change("DELETE FROM events WHERE sender_id = ?", (sender_id,))

    def count(self) -> int:
        """How many events the store holds."""
        return sum(int(row[0]) for row in self._rows("SELECT COUNT(*) FROM events"))


def _file_paths(value: object) -> Iterator[str]:
    """Every ``path`` of a file description (gateway media, ``pending_files``) in ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            path = item.get("path")
            if isinstance(path, str) and path and ("mime_type" in item or "content_type" in item):
                yield path
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@dataclass(frozen=True)
class Erased:
    """What erasing a person took from the tracker store."""

    conversations: frozenset[str]
    events: int
    #: files those conversations' users sent, for the caller to remove from the media folder
    media_paths: frozenset[str]


def erase_person(store: TrackerStore, person: Person) -> Erased:
    """Remove every conversation of the person's, each in its own short transaction."""
    senders = store.find(person)
    paths: set[str] = set()
    events = 0
    for sender in sorted(senders):
        paths |= store.media_paths(sender)
        events += store.erase(sender)
    return Erased(frozenset(senders), events, frozenset(paths))
