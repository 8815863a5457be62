"""The AICC stand-in's cases, processing records and case traces in SQLite, and its tokens.

A case's ``caseInfo`` is kept as JSON with the members AICC sets itself (``id``, ``caseNo``,
``status``, ``state``, ``ownerType``, ``createdDate``, ``updatedDate``, ``closedDate``). Each
change is a trace record ``{createdDate, creatorId, type, field, oldValue, newValue}``: that
shape is the stand-in's, since Huawei does not publish a ``caseTrace`` record's members.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
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
CREATE TABLE IF NOT EXISTS aicc_processes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    record TEXT NOT NULL,
    creator TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS aicc_trace (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    time TEXT NOT NULL,
    kind TEXT NOT NULL,
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

    def create(self, info: dict[str, Any], status: str, state: str) -> str:
        """Store a new case at flow status ``status`` and return its id."""
        now = self._now()
        with self._lock:
            db = self._conn()
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM aicc_cases").fetchone()[0]
            case_id = f"{datetime.now(UTC):%Y%m%d}{seq:08d}"
            auto = info.get("isAtuoAssigned", info.get("isAutoAssigned"))
            stored = info | {
                "id": case_id,
                "caseNo": f"C{seq:010d}",
                "status": status,
                "state": state,
                "ownerType": "user",
                "ownerId": "" if auto else info.get("ownerId", ""),
                "closedDate": "",
            }
            db.execute(
                "INSERT INTO aicc_cases (case_id, info, created, updated) VALUES (?, ?, ?, ?)",
                (case_id, json.dumps(stored), now, now),
            )
            self._record(db, case_id, now, "Create", "state", None, state, info["creatorId"])
        return case_id

    def case(self, case_id: str) -> dict[str, Any] | None:
        """The case's caseInfo with its dates, or ``None``."""
        with self._lock:
            row = (
                self._conn()
                .execute(
                    "SELECT info, created, updated FROM aicc_cases WHERE case_id = ?", (case_id,)
                )
                .fetchone()
            )
        if row is None:
            return None
        info: dict[str, Any] = json.loads(row[0])
        return info | {"createdDate": row[1], "updatedDate": row[2]}

    def update(
        self,
        case_id: str,
        changes: dict[str, Any],
        operator: str,
        kind: str,
        traced: Iterable[str] | None = None,
    ) -> bool:
        """Apply ``changes``, tracing those in ``traced`` (all when ``None``).

        ``False`` when there is no case.
        """
        now = self._now()
        with self._lock:
            db = self._conn()
            row = db.execute("SELECT info FROM aicc_cases WHERE case_id = ?", (case_id,)).fetchone()
            if row is None:
                return False
            info = json.loads(row[0])
            names = set(changes) if traced is None else set(traced)
            for name, value in changes.items():
                if info.get(name) != value:
                    if name in names:
                        self._record(db, case_id, now, kind, name, info.get(name), value, operator)
                    info[name] = value
            db.execute(
                "UPDATE aicc_cases SET info = ?, updated = ? WHERE case_id = ?",
                (json.dumps(info), now, case_id),
            )
        return True

    def process(self, case_id: str, record: dict[str, Any], creator: str) -> bool:
        """Add a processing record; ``False`` when there is no case."""
        with self._lock:
            db = self._conn()
            if not db.execute("SELECT 1 FROM aicc_cases WHERE case_id = ?", (case_id,)).fetchone():
                return False
            db.execute(
                "INSERT INTO aicc_processes (case_id, record, creator, created) VALUES (?,?,?,?)",
                (case_id, json.dumps(record), creator, self._now()),
            )
            return True

    def processes(self, case_id: str) -> list[dict[str, Any]]:
        """A case's processing records, oldest first."""
        with self._lock:
            rows = self._conn().execute(
                "SELECT record, creator, created FROM aicc_processes "
                "WHERE case_id = ? ORDER BY seq",
                (case_id,),
            )
            return [
                json.loads(r[0]) | {"creatorId": r[1], "createdDate": r[2]} for r in rows.fetchall()
            ]

    def trace(self, case_id: str) -> list[dict[str, Any]]:
        """A case's trace records, oldest first."""
        with self._lock:
            rows = self._conn().execute(
                "SELECT time, kind, field, old, new, operator FROM aicc_trace "
                "WHERE case_id = ? ORDER BY seq",
                (case_id,),
            )
            return [
                {
                    "createdDate": r[0],
                    "type": r[1],
                    "field": r[2],
                    "oldValue": r[3],
                    "newValue": r[4],
                    "creatorId": r[5],
                }
                for r in rows.fetchall()
            ]

    def cases(self) -> list[dict[str, Any]]:
        """Every case's caseInfo with its dates, newest first."""
        with self._lock:
            rows = self._conn().execute(
                "SELECT info, created, updated FROM aicc_cases ORDER BY seq DESC"
            )
            return [
                json.loads(r[0]) | {"createdDate": r[1], "updatedDate": r[2]}
                for r in rows.fetchall()
            ]

    def _record(
        self,
        db: sqlite3.Connection,
        case_id: str,
        at: str,
        kind: str,
        field: str,
        old: Any,
        new: Any,
        operator: str,
    ) -> None:
        db.execute(
            "INSERT INTO aicc_trace (case_id, time, kind, field, old, new, operator) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (case_id, at, kind, field, _text(old), _text(new), operator),
        )

    def now(self) -> str:
        """The stand-in's time, as AICC writes dates."""
        return self._now()

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
