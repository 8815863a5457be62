"""Token lifetimes of the chat store, on a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.connect_chat import protocol
from sandbox.connect_chat.db import ChatDatabase
from sandbox.connect_chat.store import ChatStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[ChatStore]:
    db = ChatDatabase(tmp_path / "chat.sqlite3")
    db.open()
    yield ChatStore(db, clock=clock)
    db.close()


def start(store: ChatStore) -> str:
    answer = store.start_chat(
        instance_id="i",
        flow_id="f",
        display_name="Ada",
        attributes={},
        content_types=[protocol.PLAIN],
        initial=None,
        client_token=None,
        closed=False,
    )
    token: str = answer["ParticipantToken"]
    return token


def test_a_websocket_url_opens_for_100_seconds_only(store: ChatStore, clock: Clock) -> None:
    connected = store.connect(start(store))
    assert connected is not None
    _, key = connected

    clock.now += protocol.WEBSOCKET_CONNECT_SECONDS - 1
    assert store.by_socket_key(key) is not None
    clock.now += 2
    assert store.by_socket_key(key) is None


def test_a_connection_token_lasts_a_day_and_a_new_connection_keeps_it(
    store: ChatStore, clock: Clock
) -> None:
    participant_token = start(store)
    first = store.connect(participant_token)
    assert first is not None
    token = first[0].connection_token
    assert token is not None

    clock.now += 3600
    again = store.connect(participant_token)
    assert again is not None and again[0].connection_token == token
    assert again[1] != first[1]
    clock.now += protocol.CONNECTION_TOKEN_SECONDS - 3600 + 1
    assert store.by_connection_token(token) is None


def test_items_carry_the_clocks_time_in_milliseconds(store: ChatStore, clock: Clock) -> None:
    clock.now = 1_800_000_000.25
    participant_token = start(store)
    participant = store.by_participant_token(participant_token)
    assert participant is not None

    (joined,) = store.transcript(participant.contact_id)

    assert joined.absolute_time == "2027-01-15T08:00:00.250Z"
