"""The AICC stand-in's cases, comments and history in SQLite, and the tokens it issued."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from common import sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS aicc_cases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT UNIQUE NOT NULL,
    info TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS aicc_comments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    content TEXT NOT NULL,
    creator TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS aicc_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    time TEXT NOT NULL,
    field TEXT NOT NULL,
    old TEXT,
    new TEXT,
    operator TEXT NOT NULL
);
"""
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class AiccStore:
    """Cases kept in ``path``; dates written in ``zone`` as AICC writes them."""

    def __init__(
        self,
        path: Path,
        zone: str = "UTC",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._path = path
        self._zone = ZoneInfo(zone)
        self._clock = clock
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._tokens: dict[str, float] = {}

    def open(self) -> None:
        """Open (and create) the database."""
        self._db = sqlite.connect(self._path, shared=True)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database and forget every token."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self._tokens.clear()

    def issue_token(self, lifetime: float) -> str:
        """A new token valid for ``lifetime`` seconds."""
        token = secrets.token_urlsafe(24)
        self._tokens[token] = self._clock() + lifetime
        return token

    def token_state(self, token: str) -> str:
        """``"valid"``, ``"expired"`` or ``"unknown"``."""
        expires = self._tokens.get(token)
        if expires is None:
            return "unknown"
        return "valid" if self._clock() < expires else "expired"

    def create(self, info: dict[str, Any], operator: str) -> str:
        """Store a new case and return its caseId."""
        now = self._now()
        with self._lock:
            db = self._conn()
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM aicc_cases").fetchone()[0]
            case_id = f"{datetime.now(UTC):%Y%m%d}{seq:08d}"
            db.execute(
                "INSERT INTO aicc_cases (case_id, info, created, updated) VALUES (?, ?, ?, ?)",
                (case_id, json.dumps(info), now, now),
            )
            self._record(db, case_id, now, "state", None, info.get("state"), operator)
        return case_id

    def update(self, case_id: str, changes: dict[str, Any], operator: str) -> bool:
        """Apply ``changes``, recording each in the history; ``False`` when there is no case."""
        now = self._now()
        with self._lock:
            db = self._conn()
            row = db.execute("SELECT info FROM aicc_cases WHERE case_id = ?", (case_id,)).fetchone()
            if row is None:
                return False
            info = json.loads(row[0])
            for name, value in changes.items():
                if info.get(name) != value:
                    self._record(db, case_id, now, name, info.get(name), value, operator)
                    info[name] = value
            db.execute(
                "UPDATE aicc_cases SET info = ?, updated = ? WHERE case_id = ?",
                (json.dumps(info), now, case_id),
            )
        return True

    def comment(self, case_id: str, content: str, creator: str) -> int | None:
        """Add a comment; its id, or ``None`` when there is no case."""
        with self._lock:
            db = self._conn()
            if not db.execute("SELECT 1 FROM aicc_cases WHERE case_id = ?", (case_id,)).fetchone():
                return None
            cursor = db.execute(
                "INSERT INTO aicc_comments (case_id, content, creator, created) VALUES (?,?,?,?)",
                (case_id, content, creator, self._now()),
            )
            return cursor.lastrowid

    def comments(self, case_id: str) -> list[dict[str, str]]:
        """A case's comments, oldest first."""
        with self._lock:
            rows = self._conn().execute(
                "SELECT content, creator, created FROM aicc_comments "
                "WHERE case_id = ? ORDER BY seq",
                (case_id,),
            )
            return [{"content": r[0], "creatorId": r[1], "createdDate": r[2]} for r in rows]

    def history(self, case_id: str) -> list[dict[str, Any]] | None:
        """A case's recorded changes, oldest first; ``None`` when there is no case."""
        with self._lock:
            db = self._conn()
            if not db.execute("SELECT 1 FROM aicc_cases WHERE case_id = ?", (case_id,)).fetchone():
                return None
            rows = db.execute(
                "SELECT time, field, old, new, operator FROM aicc_history "
                "WHERE case_id = ? ORDER BY seq",
                (case_id,),
            )
            return [
                {"time": r[0], "field": r[1], "oldValue": r[2], "newValue": r[3], "operator": r[4]}
                for r in rows
            ]

    def query(
        self, conditions: dict[str, Any], keyword: str | None, offset: int, limit: int, desc: bool
    ) -> tuple[int, list[dict[str, Any]]]:
        """Cases whose fields equal ``conditions`` and whose text has ``keyword``: total, page."""
        order = "DESC" if desc else "ASC"
        with self._lock:
            rows = self._conn().execute(
                f"SELECT case_id, info, created, updated FROM aicc_cases ORDER BY seq {order}"
            )
            matches = []
            for case_id, raw, created, updated in rows:
                info = json.loads(raw) | {
                    "caseId": case_id,
                    "createdDate": created,
                    "updatedDate": updated,
                }
                if any(info.get(name) != value for name, value in conditions.items()):
                    continue
                text = f"{info.get('title', '')}\n{info.get('description', '')}".lower()
                if keyword and keyword.lower() not in text:
                    continue
                matches.append(info)
        return len(matches), matches[offset : offset + limit]

    def _record(
        self,
        db: sqlite3.Connection,
        case_id: str,
        at: str,
        field: str,
        old: Any,
        new: Any,
        operator: str,
    ) -> None:
        db.execute(
            "INSERT INTO aicc_history (case_id, time, field, old, new, operator) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (case_id, at, field, _text(old), _text(new), operator),
        )

    def _now(self) -> str:
        return datetime.fromtimestamp(self._clock(), self._zone).strftime(DATE_FORMAT)

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the AICC stand-in's database is not open")
        return self._db


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value) if isinstance(value, bool) else str(value)
