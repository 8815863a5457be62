"""The SQLite database of the Connect Cases stand-in: schema, connection, transactions.

One connection in WAL mode behind a lock: requests run in worker threads and every request is
one short transaction, so serialising them keeps reads and read-modify-writes (client tokens,
reference numbers) consistent without more machinery.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from common import sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS domains (
    domain_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fields (
    domain_id TEXT NOT NULL,
    field_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    namespace TEXT NOT NULL,
    description TEXT,
    created_time TEXT NOT NULL,
    last_modified_time TEXT NOT NULL,
    multiline INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (domain_id, field_id)
);
CREATE TABLE IF NOT EXISTS field_options (
    domain_id TEXT NOT NULL,
    field_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    value TEXT NOT NULL,
    name TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (domain_id, field_id, value)
);
CREATE TABLE IF NOT EXISTS layouts (
    domain_id TEXT NOT NULL,
    layout_id TEXT NOT NULL,
    name TEXT NOT NULL,
    content TEXT NOT NULL,
    created_time TEXT NOT NULL,
    last_modified_time TEXT NOT NULL,
    PRIMARY KEY (domain_id, layout_id)
);
CREATE TABLE IF NOT EXISTS templates (
    domain_id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    layout_id TEXT,
    required_fields TEXT NOT NULL,
    created_time TEXT NOT NULL,
    last_modified_time TEXT NOT NULL,
    PRIMARY KEY (domain_id, template_id)
);
CREATE TABLE IF NOT EXISTS cases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL UNIQUE,
    template_id TEXT NOT NULL,
    -- not unique: Connect Cases does not promise that two cases never share one
    reference_number INTEGER NOT NULL,
    tags TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_by_reference ON cases (domain_id, reference_number);
CREATE TABLE IF NOT EXISTS case_fields (
    case_id TEXT NOT NULL REFERENCES cases (case_id),
    field_id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (case_id, field_id)
);
CREATE TABLE IF NOT EXISTS related_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (case_id),
    related_item_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    content TEXT NOT NULL,
    association_time TEXT NOT NULL,
    performed_by TEXT,
    tags TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS related_items_by_case ON related_items (case_id);
CREATE TABLE IF NOT EXISTS audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (case_id),
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    related_item_type TEXT,
    performed_time TEXT NOT NULL,
    fields TEXT NOT NULL,
    performed_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_by_case ON audit_events (case_id);
CREATE TABLE IF NOT EXISTS client_tokens (
    domain_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    token TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_time TEXT NOT NULL,
    PRIMARY KEY (domain_id, operation, token)
);
"""


class Database(sqlite.SharedDatabase):
    """A SQLite file (or ``:memory:``) opened once and shared by every request thread."""

    SCHEMA = SCHEMA
    SYNCHRONOUS = "NORMAL"

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        _add_missing_columns(conn)


class Queries:
    """Base of the query classes: one open transaction's connection and two shorthands."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._conn.execute(sql, args).fetchone()
        return row

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return list(self._conn.execute(sql, args).fetchall())


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    # a database file written before fields had attributes keeps its rows: they are single-line
    columns = {row["name"] for row in conn.execute("PRAGMA table_info(fields)")}
    if "multiline" not in columns:
        conn.execute("ALTER TABLE fields ADD COLUMN multiline INTEGER NOT NULL DEFAULT 0")


def dump(value: Any) -> str:
    """Serialise a value for a JSON column (keys sorted, so equal values store equal text)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
