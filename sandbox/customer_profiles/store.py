"""The SQLite storage of the Customer Profiles stand-in: domains, profiles and their search keys.

Its tables sit in the sandbox's shared database file beside other stand-ins' tables, so their
names all start with ``profile``. As in the Connect Cases stand-in, one connection in WAL mode
behind a lock serves every request thread, and each request is one short transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from common import sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS profile_domains (
    domain_name TEXT PRIMARY KEY,
    default_expiration_days INTEGER NOT NULL,
    created_at REAL NOT NULL,
    last_updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS profiles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_name TEXT NOT NULL REFERENCES profile_domains (domain_name),
    profile_id TEXT NOT NULL UNIQUE,
    attributes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS profile_keys (
    domain_name TEXT NOT NULL,
    key_name TEXT NOT NULL,
    value TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profiles (profile_id),
    PRIMARY KEY (domain_name, key_name, value, profile_id)
);
"""


@dataclass(frozen=True)
class ProfileDomain:
    """A Customer Profiles domain; times are seconds since the epoch."""

    name: str
    default_expiration_days: int
    created_at: float
    last_updated_at: float


@dataclass(frozen=True)
class ProfileRecord:
    """A stored profile: its id, insertion order and the attributes it was created with."""

    seq: int
    profile_id: str
    attributes: dict[str, Any]


class ProfileStore(sqlite.SharedDatabase):
    """A SQLite file (or ``:memory:``) opened once and shared by every request thread."""

    SCHEMA = SCHEMA

    @contextmanager
    def session(self) -> Iterator[ProfileSession]:
        """Yield a session whose reads and writes commit together, or not at all."""
        with self.transaction() as conn:
            yield ProfileSession(conn)


class ProfileSession:
    """Queries and writes over one open transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get_domain(self, name: str) -> ProfileDomain | None:
        """Return the domain or ``None``."""
        row = self._conn.execute(
            "SELECT * FROM profile_domains WHERE domain_name = ?", (name,)
        ).fetchone()
        if row is None:
            return None
        return ProfileDomain(
            row["domain_name"],
            row["default_expiration_days"],
            row["created_at"],
            row["last_updated_at"],
        )

    def ensure_domain(self, name: str, default_expiration_days: int, now: float) -> None:
        """Create the domain unless it exists (an existing one is left as it is)."""
        self._conn.execute(
            "INSERT INTO profile_domains VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (name, default_expiration_days, now, now),
        )

    def insert_profile(
        self,
        domain_name: str,
        profile_id: str,
        attributes: dict[str, Any],
        keys: Iterable[tuple[str, str]],
    ) -> None:
        """Store a new profile and index it under its search keys."""
        self._conn.execute(
            "INSERT INTO profiles (domain_name, profile_id, attributes) VALUES (?, ?, ?)",
            (domain_name, profile_id, json.dumps(attributes, sort_keys=True)),
        )
        self._conn.executemany(
            "INSERT OR IGNORE INTO profile_keys VALUES (?, ?, ?, ?)",
            [(domain_name, key, value, profile_id) for key, value in keys],
        )

    def find(self, domain_name: str, key_name: str, values: list[str]) -> dict[str, set[str]]:
        """Return the profiles holding any of ``values`` under ``key_name``: id -> values held."""
        found: dict[str, set[str]] = {}
        if not values:
            return found
        marks = ",".join("?" * len(values))
        rows = self._conn.execute(
            "SELECT profile_id, value FROM profile_keys WHERE domain_name = ? AND key_name = ?"
            f" AND value IN ({marks})",
            (domain_name, key_name, *values),
        )
        for row in rows:
            found.setdefault(row["profile_id"], set()).add(row["value"])
        return found

    def profiles(self, domain_name: str, profile_ids: Iterable[str]) -> list[ProfileRecord]:
        """Return the named profiles of the domain, oldest first."""
        ids = list(profile_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._conn.execute(
            f"SELECT * FROM profiles WHERE domain_name = ? AND profile_id IN ({marks})"
            " ORDER BY seq",
            (domain_name, *ids),
        )
        return [
            ProfileRecord(row["seq"], row["profile_id"], json.loads(row["attributes"]))
            for row in rows
        ]

    def count_profiles(self, domain_name: str) -> int:
        """Return how many profiles the domain holds."""
        row = self._conn.execute(
            "SELECT COUNT(*) AS n FROM profiles WHERE domain_name = ?", (domain_name,)
        ).fetchone()
        return int(row["n"])
