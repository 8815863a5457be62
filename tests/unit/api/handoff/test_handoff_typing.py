"""Typing in a live chat: the agent's reaches the customer's channel, the customer's reaches the
agent (SendEvent), and neither is taken for a transcript item."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.handoff.participant import ParticipantClient, participant_client
from api.handoff.relay import ChatRelay
from api.handoff.store import LiveChat, RelayStore
from tests.unit.api.handoff.test_handoff_relay import (
    Customer,
    agent,
    handoff,
    transcript,
    until,
)
from tests.unit.sandbox.connect_chat.support import ChatSandbox

TYPING = "application/vnd.amazonaws.connect.event.typing"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatSandbox]:
    server = ChatSandbox(tmp_path_factory.mktemp("typing") / "sandbox.sqlite3").start()
    yield server
    server.stop()


class TypingCustomer(Customer):
    """A customer whose channel also shows that the agent is typing."""

    def __init__(self) -> None:
        super().__init__()
        self.typing: list[str] = []

    async def agent_typing(self, chat: LiveChat) -> None:
        self.typing.append(chat.conversation_id)


@pytest.fixture
def customer() -> TypingCustomer:
    return TypingCustomer()


@pytest.fixture
def make_relay(
    sandbox: ChatSandbox, tmp_path: Path, customer: TypingCustomer
) -> Iterator[Callable[[], ChatRelay]]:
    stores: list[RelayStore] = []

    def make() -> ChatRelay:
        store = RelayStore.open(tmp_path / "relay.sqlite3")
        stores.append(store)
        participant = ParticipantClient(
            participant_client(f"{sandbox.url}/connectparticipant", "us-east-1")
        )
        return ChatRelay(
            store,
            participant,
            customer.deliver,
            customer.resume,
            typing=customer.agent_typing,
            retry_seconds=(0.05,),
        )

    yield make


def conversation() -> str:
    return f"webchat:{uuid.uuid4().hex[:10]}"


async def test_a_relay_picking_up_a_chat_whose_agent_last_typed_misses_nothing(
    sandbox: ChatSandbox, make_relay: Callable[[], ChatRelay], customer: TypingCustomer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    first = make_relay()
    await first.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    agent(sandbox, handed["contact_id"], "messages", content="One moment.")
    await until(lambda: "One moment." in customer.texts())
    # typing is no transcript item: reading the transcript from it would fail
    agent(sandbox, handed["contact_id"], "typing")
    await asyncio.sleep(0.5)
    await first.close()

    second = make_relay()
    await second.resume_all()
    agent(sandbox, handed["contact_id"], "messages", content="Found it.")
    await until(lambda: "Found it." in customer.texts())
    await second.close()

    assert customer.texts() == [
        "Sam from our team has joined the chat.",
        "One moment.",
        "Found it.",
    ]


async def test_the_agent_typing_reaches_the_customers_channel_as_typing_only(
    sandbox: ChatSandbox, make_relay: Callable[[], ChatRelay], customer: TypingCustomer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    relay = make_relay()
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")

    agent(sandbox, handed["contact_id"], "typing")
    agent(sandbox, handed["contact_id"], "typing")
    await until(lambda: len(customer.typing) == 2)
    await relay.close()

    assert customer.typing == [who, who]
    assert customer.texts() == ["Sam from our team has joined the chat."]


async def test_the_customer_typing_reaches_the_agent_and_nothing_else(
    sandbox: ChatSandbox, make_relay: Callable[[], ChatRelay]
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    relay = make_relay()
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")

    assert await relay.customer_typing(who) is True
    assert await relay.customer_typing(conversation()) is False
    await relay.close()

    items = transcript(sandbox, handed["contact_id"])
    typed = [i for i in items if i.get("ContentType") == TYPING]
    assert [(i["ParticipantRole"], i["Type"]) for i in typed] == [("CUSTOMER", "EVENT")]
