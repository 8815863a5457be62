"""A tracker store exactly as Rasa 3.6's ``SQLTrackerStore`` makes it in SQLite, and its events.

The schema is what SQLAlchemy 1.4 writes for ``SQLTrackerStore.SQLEvent`` (printed from
``.venv-rasa`` with ``Base.metadata.create_all``); the events are shaped as Rasa serialises
them into ``data`` (``Event.as_dict``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE events (
	id INTEGER NOT NULL,
	sender_id VARCHAR(255) NOT NULL,
	type_name VARCHAR(255) NOT NULL,
	timestamp FLOAT,
	intent_name VARCHAR(255),
	action_name VARCHAR(255),
	data TEXT,
	PRIMARY KEY (id)
);
CREATE INDEX ix_events_sender_id ON events (sender_id);
"""


def user(text: str, at: float, intent: str = "inform", **metadata: Any) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": at,
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
        "input_channel": "rest",
        "metadata": metadata,
    }


def slot(name: str, value: Any, at: float) -> dict[str, Any]:
    return {"event": "slot", "timestamp": at, "name": name, "value": value}


def bot(text: str, at: float) -> dict[str, Any]:
    return {"event": "bot", "timestamp": at, "text": text, "data": {}, "metadata": {}}


def action(name: str, at: float) -> dict[str, Any]:
    return {"event": "action", "timestamp": at, "name": name, "policy": None, "confidence": 1.0}


def create(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db


def add(db: sqlite3.Connection, sender_id: str, events: Iterable[dict[str, Any]]) -> None:
    """Append events as Rasa's ``SQLTrackerStore._additional_events`` writes them."""
    rows = []
    for event in events:
        intent = event.get("parse_data", {}).get("intent", {}).get("name")
        rows.append(
            (
                sender_id,
                event["event"],
                event["timestamp"],
                intent,
                event.get("name") if event["event"] == "action" else None,
                json.dumps(event),
            )
        )
    db.executemany(
        "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.commit()


def senders(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
