from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from common.erasure import Person
from common.tracker import Location, TrackerStore, erase_person
from tests.support import rasa_tracker as rt

DAY = 86_400.0
NOW = 1_800_000_000.0
ADA = Person(phone="+447700900123", email="ada@example.com")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "rasa-tracker.db"


@pytest.fixture
def store(path: Path):
    rt.create(path).close()
    opened = TrackerStore.open(Location("sqlite", str(path)))
    yield opened
    opened.close()


def test_purge_removes_conversations_silent_past_the_cutoff_and_keeps_the_rest(path, store):
    db = sqlite3.connect(path)
    rt.add(db, "webchat:old", [rt.user("hi", NOW - 100 * DAY), rt.bot("hello", NOW - 99 * DAY)])
    # an old start does not matter: its latest event does
    rt.add(db, "webchat:ongoing", [rt.user("hi", NOW - 200 * DAY), rt.user("and", NOW - DAY)])
    rt.add(db, "webchat:new", [rt.user("hi", NOW - 1)])
    db.close()

    conversations, events = store.purge(NOW - 90 * DAY)

    assert (conversations, events) == (1, 2)
    assert rt.senders(path) == {"webchat:ongoing", "webchat:new"}
    assert store.count() == 3


def test_purge_keeps_a_conversation_that_spoke_after_it_was_listed(path, store, monkeypatch):
    db = sqlite3.connect(path)
    rt.add(db, "webchat:old", [rt.user("hi", NOW - 100 * DAY)])
    listed = store._rows

    def list_then_speak(sql, params=()):
        yield from listed(sql, params)
        # Rasa writes a new event between the listing and the delete
        rt.add(db, "webchat:old", [rt.user("back again", NOW)])

    monkeypatch.setattr(store, "_rows", list_then_speak)
    assert store.purge(NOW - 90 * DAY) == (0, 0)
    assert store.count() == 2


def test_erasing_one_person_removes_their_conversations_only(path, store):
    db = sqlite3.connect(path)
    media = {"path": "/srv/media/wamid_1.jpg", "mime_type": "image/jpeg", "id": "wamid.1"}
    rt.add(
        db,
        "whatsapp:447700900123",
        [rt.user("/share_file", NOW, intent="share_file", media=[media]), rt.bot("kept", NOW)],
    )
    # webchat: theirs only because the case form's contact slot holds their address
    rt.add(
        db,
        "webchat:3f2a",
        [
            rt.user("my email is Ada@Example.com", NOW),
            rt.slot("contact", "ada@example.com", NOW),
            rt.slot(
                "pending_files",
                [{"path": "/srv/media/x.pdf", "name": "x.pdf", "content_type": "application/pdf"}],
                NOW,
            ),
        ],
    )
    rt.add(db, "twilio:+447700900123", [rt.user("hello", NOW)])
    # someone else: a longer number holding Ada's digits, another address, another sender
    rt.add(
        db,
        "whatsapp:4477009001234",
        [rt.user("hi", NOW), rt.slot("contact", "+4477009001234", NOW)],
    )
    rt.add(db, "webchat:bob", [rt.slot("contact", "bob@example.com", NOW), rt.user("hi", NOW)])
    db.close()

    erased = erase_person(store, ADA)

    assert erased.conversations == {"whatsapp:447700900123", "webchat:3f2a", "twilio:+447700900123"}
    assert erased.events == 6
    assert erased.media_paths == {"/srv/media/wamid_1.jpg", "/srv/media/x.pdf"}
    assert rt.senders(path) == {"whatsapp:4477009001234", "webchat:bob"}
    assert store.count() == 4


def test_a_person_found_nowhere_changes_nothing(path, store):
    db = sqlite3.connect(path)
    rt.add(db, "webchat:bob", [rt.slot("contact", "bob@example.com", NOW)])
    db.close()

    erased = erase_person(store, Person(email="carol@example.com"))

    assert (erased.conversations, erased.events) == (frozenset(), 0)
    assert store.count() == 1
