"""Rasa's conversations in PostgreSQL: erased and purged through Rasa's own driver.

Our environment has no PostgreSQL driver, so the erase command hands the tracker store's part
to ``bot.server.erase`` in Rasa's environment; the Rasa process purges with its own too
(``bot.server.retention``). Both run here on a real server started from the Debian packages.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.erasure import Person
from common.tracker import Location
from privacy.places import RASA_PYTHON
from privacy.stores import erase_conversations
from tests.support.services import PostgresServer, postgres_server

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400.0
NOW = time.time()
# what SQLAlchemy 1.4 makes of SQLTrackerStore.SQLEvent on PostgreSQL
SCHEMA = """
CREATE SEQUENCE events_seq;
CREATE TABLE events (
    id INTEGER NOT NULL DEFAULT nextval('events_seq'),
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


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    if not (ROOT / RASA_PYTHON).exists():
        pytest.skip("Rasa's environment (.venv-rasa) is not set up")
    with postgres_server(("rasa",)) as server:
        server.psql("rasa", SCHEMA)
        yield server


def insert(server: PostgresServer, sender: str, at: float, data: dict[str, object]) -> None:
    text = json.dumps(data).replace("'", "''")
    server.psql(
        "rasa",
        "INSERT INTO events (sender_id, type_name, timestamp, data) "
        f"VALUES ('{sender}', 'slot', {at}, '{text}')",
    )


def location(server: PostgresServer) -> Location:
    return Location("postgresql", "rasa", "127.0.0.1", server.port, server.user, server.password)


def test_one_person_is_erased_from_postgresql_through_rasas_environment(postgres) -> None:
    postgres.psql("rasa", "DELETE FROM events")
    insert(
        postgres,
        "webchat:ada",
        NOW,
        {"event": "slot", "name": "contact", "value": "ada@example.com"},
    )
    insert(postgres, "whatsapp:447700900123", NOW, {"event": "user", "text": "hi"})
    insert(
        postgres,
        "webchat:bob",
        NOW,
        {"event": "slot", "name": "contact", "value": "bob@example.com"},
    )

    erased = erase_conversations(
        Person("+447700900123", "ada@example.com"), location(postgres), ROOT / RASA_PYTHON
    )

    assert erased.conversations == {"webchat:ada", "whatsapp:447700900123"}
    assert erased.events == 2
    assert postgres.psql("rasa", "SELECT DISTINCT sender_id FROM events").split() == ["webchat:bob"]


def test_rasas_process_purges_silent_conversations_from_postgresql(postgres) -> None:
    postgres.psql("rasa", "DELETE FROM events")
    insert(postgres, "webchat:old", NOW - 100 * DAY, {"event": "user", "text": "hi"})
    insert(postgres, "webchat:new", NOW - DAY, {"event": "user", "text": "hi"})
    where = location(postgres)
    fields = [where.dialect, where.db, where.host, where.port, where.user, where.password]
    script = (
        "from bot.server.retention import purge_once; from common.tracker import Location; "
        f"print(purge_once(Location(*{fields!r}), 90, {NOW}))"
    )

    done = subprocess.run(
        [str(ROOT / RASA_PYTHON), "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    assert done.stdout.strip() == "(1, 1)"
    assert postgres.psql("rasa", "SELECT DISTINCT sender_id FROM events").split() == ["webchat:new"]
