"""The relay against the sandbox's chat stand-in: real boto3 clients and a real websocket."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.conversation import LiveChatUnavailable
from api.handoff.participant import (
    ChatItem,
    ParticipantClient,
    message_parts,
    participant_client,
)
from api.handoff.relay import BACK, NO_AGENT, ChatRelay
from api.handoff.store import LiveChat, RelayStore
from api.handoff.transcripts import Outcome, TranscriptFiling, transcript_text
from api.rasa import BotMessage
from tests.support.linear import LINEAR_GROWTH, slowest_growth
from tests.unit.sandbox.connect_chat.support import FLOW, INSTANCE, ChatSandbox, aws_client


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatSandbox]:
    server = ChatSandbox(tmp_path_factory.mktemp("relay") / "sandbox.sqlite3").start()
    yield server
    server.stop()


class Customer:
    """What reached the customer's channel, and the conversations resumed."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []
        self.resumed: list[str] = []
        self.filed: list[tuple[str | None, str]] = []

    async def file(self, case_ref: str, contact_id: str, text: str) -> Outcome:
        self.filed.append((case_ref, text))
        return "filed"

    async def deliver(self, chat: LiveChat, messages: list[BotMessage]) -> bool:
        self.told.extend((chat.conversation_id, m.text or "") for m in messages)
        return True

    async def resume(self, conversation_id: str) -> None:
        self.resumed.append(conversation_id)

    def texts(self) -> list[str]:
        return [text for _, text in self.told]


@pytest.fixture
def customer() -> Customer:
    return Customer()


@pytest.fixture
def make_relay(
    sandbox: ChatSandbox, tmp_path: Path, customer: Customer
) -> Iterator[Callable[..., ChatRelay]]:
    stores: list[RelayStore] = []

    def make(agent_wait_seconds: float = 60.0) -> ChatRelay:
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
            transcripts=TranscriptFiling(store, participant, customer.file),
            agent_wait_seconds=agent_wait_seconds,
            retry_seconds=(0.05,),
        )

    yield make


@pytest.fixture
async def relay(make_relay: Callable[[], ChatRelay]) -> AsyncIterator[ChatRelay]:
    relay = make_relay()
    yield relay
    await relay.close()


def handoff(sandbox: ChatSandbox, flow: str = FLOW) -> dict[str, Any]:
    """Start a chat as the action server does; what it hands the gateway."""
    started = aws_client("connect", f"{sandbox.url}/connect").start_chat_contact(
        InstanceId=INSTANCE,
        ContactFlowId=flow,
        ParticipantDetails={"DisplayName": "Ann"},
        InitialMessage={"ContentType": "text/plain", "Content": "Customer: a person please"},
    )
    return {
        "contact_id": started["ContactId"],
        "participant_id": started["ParticipantId"],
        "participant_token": started["ParticipantToken"],
        "case_ref": "12345678",
    }


def agent(sandbox: ChatSandbox, contact_id: str, action: str, **body: str) -> dict[str, Any]:
    url = f"{sandbox.url}/_sandbox/connect-chat/chats/{contact_id}/{action}"
    answer = httpx.post(url, json=body or None, timeout=10)
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()
    return found


def transcript(sandbox: ChatSandbox, contact_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{sandbox.url}/_sandbox/connect-chat/chats/{contact_id}", timeout=10)
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not within time")
        await asyncio.sleep(0.02)


def conversation() -> str:
    return f"webchat:{uuid.uuid4().hex[:10]}"


async def test_agent_words_reach_the_customer_and_the_customers_reach_the_agent(
    sandbox: ChatSandbox, relay: ChatRelay, customer: Customer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    await relay.open(who, "webchat", who.split(":")[1], handed)

    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    agent(sandbox, handed["contact_id"], "messages", content="Hello Ann, how can I help?")
    await until(lambda: "Hello Ann, how can I help?" in customer.texts())
    assert await relay.customer_says(who, "my parcel is lost") is True
    assert await relay.customer_says(conversation(), "not in a chat") is False

    assert customer.texts() == [
        "Sam from our team has joined the chat.",
        "Hello Ann, how can I help?",
    ]
    said = [
        i["Content"] for i in transcript(sandbox, handed["contact_id"]) if i["Type"] == "MESSAGE"
    ]
    assert said[-1] == "my parcel is lost"
    assert customer.resumed == []


async def test_a_message_handled_again_under_its_id_reaches_the_chat_once(
    sandbox: ChatSandbox, relay: ChatRelay
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept")
    long = "é" * 10_000  # two messages' worth

    for _ in range(2):
        # as when the gateway died before it knew the chat took them: handled again
        assert await relay.customer_says(who, "my parcel is lost", "wamid.A1") is True
        assert await relay.customer_says(who, long, "wamid.A2") is True
    # the same words as a new message are a new message
    assert await relay.customer_says(who, "my parcel is lost", "wamid.A3") is True

    said = [
        i["Content"]
        for i in transcript(sandbox, handed["contact_id"])
        if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "CUSTOMER"
    ]
    assert said[1:] == ["my parcel is lost", *message_parts(long), "my parcel is lost"]


async def test_agent_ending_the_chat_resumes_the_assistant_once(
    sandbox: ChatSandbox, relay: ChatRelay, customer: Customer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    agent(sandbox, handed["contact_id"], "messages", content="How can I  help?")
    assert await relay.customer_says(who, "my parcel\nis lost") is True

    agent(sandbox, handed["contact_id"], "end")
    await until(lambda: len(customer.filed) == 1)

    assert customer.resumed == [who] and customer.texts()[-1] == BACK
    # the transcript of the chat goes to the case it was started for
    assert customer.filed == [
        (
            "12345678",
            "Customer: Customer: a person please\nSam: How can I help?\n"
            "Customer: my parcel is lost",
        )
    ]
    assert await relay.customer_says(who, "hello again") is False
    await asyncio.sleep(0.2)
    assert customer.resumed == [who] and customer.texts().count(BACK) == 1
    assert len(customer.filed) == 1


async def test_customer_ending_the_chat_leaves_it_and_resumes_the_assistant(
    sandbox: ChatSandbox, relay: ChatRelay, customer: Customer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept")

    assert await relay.customer_says(who, "  End   CHAT ") is True

    assert customer.resumed == [who] and customer.texts()[-1] == BACK
    kinds = [i.get("ContentType", "") for i in transcript(sandbox, handed["contact_id"])]
    assert any(kind.endswith("participant.left") for kind in kinds)


async def test_closed_flow_tells_the_customer_and_resumes_at_once(
    sandbox: ChatSandbox, relay: ChatRelay, customer: Customer
) -> None:
    who = conversation()

    await relay.open(who, "webchat", who.split(":")[1], handoff(sandbox, "sandbox-closed"))
    await until(lambda: customer.resumed == [who])

    assert customer.texts() == [
        "We are closed at the moment. Please try again during opening hours.",
        BACK,
    ]


async def test_a_restarted_relay_resumes_without_losing_or_repeating(
    sandbox: ChatSandbox, make_relay: Callable[[], ChatRelay], customer: Customer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    first = make_relay()
    await first.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    agent(sandbox, handed["contact_id"], "messages", content="before the restart")
    await until(lambda: "before the restart" in customer.texts())
    await first.close()

    agent(sandbox, handed["contact_id"], "messages", content="while the gateway was down")
    second = make_relay()
    assert await second.resume_all() == 1
    await until(lambda: "while the gateway was down" in customer.texts())
    agent(sandbox, handed["contact_id"], "messages", content="after the restart")
    await until(lambda: "after the restart" in customer.texts())
    await second.close()

    assert customer.texts() == [
        "Sam from our team has joined the chat.",
        "before the restart",
        "while the gateway was down",
        "after the restart",
    ]


async def test_no_agent_in_time_leaves_the_chat_and_the_assistant_answers_again(
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay], customer: Customer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    relay = make_relay(agent_wait_seconds=0.3)

    await relay.open(who, "webchat", who.split(":")[1], handed)
    await until(lambda: customer.resumed == [who])
    await relay.close()

    assert customer.texts() == [NO_AGENT]
    kinds = [i.get("ContentType", "") for i in transcript(sandbox, handed["contact_id"])]
    assert any(kind.endswith("participant.left") for kind in kinds)


async def test_an_agent_who_joins_in_time_keeps_the_chat_past_the_wait(
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay], customer: Customer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    relay = make_relay(agent_wait_seconds=0.5)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    await until(lambda: "Sam from our team has joined the chat." in customer.texts())

    await asyncio.sleep(0.8)

    assert customer.resumed == []
    assert await relay.customer_says(who, "still here") is True
    await relay.close()


async def test_the_wait_for_an_agent_counts_from_the_chats_start_across_a_restart(
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay], customer: Customer
) -> None:
    who = conversation()
    first = make_relay(agent_wait_seconds=1.0)
    await first.open(who, "webchat", who.split(":")[1], handoff(sandbox))
    await first.close()
    await asyncio.sleep(0.6)

    second = make_relay(agent_wait_seconds=1.0)
    await second.resume_all()
    started = asyncio.get_running_loop().time()
    await until(lambda: customer.resumed == [who])
    await second.close()

    # the second relay waited what was left of the second, not a whole one
    assert asyncio.get_running_loop().time() - started < 0.8
    assert customer.texts() == [NO_AGENT]


def test_a_transcript_keeps_its_latest_messages_within_the_limit() -> None:
    items = [
        ChatItem(f"i{n}", "MESSAGE", "text/plain", f"line {n}", "CUSTOMER", "Ann")
        for n in range(100)
    ]
    items.append(ChatItem("e", "EVENT", "x.chat.ended", "", "SYSTEM", ""))

    text = transcript_text(items, limit=100)

    assert len(text) <= 100
    assert text.endswith("Customer: line 99") and "line 0\n" not in text


def test_writing_a_transcript_takes_linear_time() -> None:
    def step(content: str) -> str:
        return transcript_text([ChatItem("i", "MESSAGE", "text/plain", content, "AGENT", "Sam")])

    shape, grown = slowest_growth(step)

    assert grown < LINEAR_GROWTH, f"grows {grown:.1f}x from 8k to 32k on {shape}"


async def test_a_chat_service_that_fails_is_unavailable_for_the_channel_to_try_again(
    sandbox: ChatSandbox, relay: ChatRelay
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    faults = {"connectparticipant": {"down": True}}
    httpx.put(f"{sandbox.url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()
    try:
        with pytest.raises(LiveChatUnavailable):
            await relay.customer_says(who, "hello?")
    finally:
        httpx.delete(f"{sandbox.url}/_sandbox/faults", timeout=10)
