"""The chat stand-in each module of the relay's tests shares, and relays over it that record
what reached the customer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from api.handoff.participant import ParticipantClient, participant_client
from api.handoff.relay import ChatRelay
from api.handoff.store import RelayStore
from api.handoff.transcripts import TranscriptFiling
from tests.unit.api.handoff.live_chat import Customer
from tests.unit.sandbox.connect_chat.support import ChatSandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatSandbox]:
    server = ChatSandbox(tmp_path_factory.mktemp("relay") / "sandbox.sqlite3")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def customer() -> Customer:
    return Customer()


@pytest.fixture
def make_relay(
    sandbox: ChatSandbox, tmp_path: Path, customer: Customer
) -> Callable[..., ChatRelay]:
    """Relays on one store in ``tmp_path``, as one gateway started again; with
    ``typing=True`` the agent's typing reaches ``customer.typing``."""

    def make(agent_wait_seconds: float = 60.0, *, typing: bool = False) -> ChatRelay:
        store = RelayStore.open(tmp_path / "relay.sqlite3")
        participant = ParticipantClient(
            participant_client(f"{sandbox.url}/connectparticipant", "us-east-1")
        )
        return ChatRelay(
            store,
            participant,
            customer.deliver,
            customer.resume,
            transcripts=TranscriptFiling(store, participant, customer.file),
            typing=customer.agent_typing if typing else None,
            agent_wait_seconds=agent_wait_seconds,
            retry_seconds=(0.05,),
        )

    return make


@pytest.fixture
async def relay(make_relay: Callable[[], ChatRelay]) -> AsyncIterator[ChatRelay]:
    relay = make_relay()
    yield relay
    await relay.close()
