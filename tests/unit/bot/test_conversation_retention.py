"""Rasa's process trims its own conversation store: which store, how long, and the purge."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.server.retention import endpoints_path, location, positive, purge_once
from common.tracker import Location
from tests.support import rasa_tracker as rt

DAY = 86_400.0


def test_the_store_is_read_from_the_endpoints_rasa_is_given() -> None:
    argv = ["rasa", "run", "--endpoints", "deploy/endpoints.yml", "--port", "5005"]
    assert endpoints_path(argv) == "deploy/endpoints.yml"
    assert endpoints_path(["rasa", "run", "--endpoints=bot/endpoints.yml"]) == "bot/endpoints.yml"
    assert endpoints_path(["rasa", "run"]) is None


def test_sql_stores_are_trimmed_and_others_left_alone() -> None:
    sqlite_store = SimpleNamespace(type="SQL", url=None, kwargs={"dialect": "sqlite", "db": "x.db"})
    assert location(sqlite_store) == Location("sqlite", "x.db")
    postgres = SimpleNamespace(
        type="sql",
        url="db",
        kwargs={"dialect": "postgresql", "db": "rasa", "port": "5432", "username": "u"},
    )
    assert location(postgres) == Location("postgresql", "rasa", "db", 5432, "u", None)
    assert location(SimpleNamespace(type="redis", url="r", kwargs={})) is None
    assert location(None) is None


def test_retention_settings_must_be_positive() -> None:
    assert positive({}, "CONVERSATION_RETENTION_DAYS", 90.0) == 90.0
    assert positive({"CONVERSATION_RETENTION_DAYS": "30"}, "CONVERSATION_RETENTION_DAYS", 90) == 30
    with pytest.raises(SystemExit):
        positive({"CONVERSATION_RETENTION_DAYS": "0"}, "CONVERSATION_RETENTION_DAYS", 90.0)


def test_a_purge_takes_conversations_silent_past_the_retention(tmp_path: Path) -> None:
    now = time.time()
    path = tmp_path / "rasa-tracker.db"
    db = rt.create(path)
    rt.add(db, "webchat:old", [rt.user("hi", now - 91 * DAY)])
    rt.add(db, "webchat:recent", [rt.user("hi", now - 89 * DAY)])
    db.close()

    assert purge_once(Location("sqlite", str(path)), 90, now) == (1, 1)

    with sqlite3.connect(path) as check:
        assert [r[0] for r in check.execute("SELECT sender_id FROM events")] == ["webchat:recent"]
