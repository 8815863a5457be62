"""The relay against the sandbox's chat stand-in: real boto3 clients and a real websocket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from api.conversation import LiveChatUnavailable
from api.handoff.participant import (
    ChatItem,
    message_parts,
)
from api.handoff.relay import BACK, NO_AGENT, ChatRelay
from api.handoff.transcripts import transcript_text
from tests.support.linear import LINEAR_GROWTH, slowest_growth
from tests.unit.api.handoff.live_chat import (
    Customer,
    agent,
    chat_with_agent,
    conversation,
    handoff,
    transcript,
    until,
)
from tests.unit.sandbox.connect_chat.support import ChatSandbox


async def test_agent_words_reach_the_customer_and_the_customers_reach_the_agent(
    sandbox: ChatSandbox, relay: ChatRelay, customer: Customer
) -> None:
    who, contact = await chat_with_agent(sandbox, relay)
    agent(sandbox, contact, "messages", content="Hello Ann, how can I help?")
    await until(lambda: "Hello Ann, how can I help?" in customer.texts())
    assert await relay.customer_says(who, "my parcel is lost") is True
    assert await relay.customer_says(conversation(), "not in a chat") is False

    assert customer.texts() == [
        "Sam from our team has joined the chat.",
        "Hello Ann, how can I help?",
    ]
    said = [i["Content"] for i in transcript(sandbox, contact) if i["Type"] == "MESSAGE"]
    assert said[-1] == "my parcel is lost"
    assert customer.resumed == []


async def test_a_message_handled_again_under_its_id_reaches_the_chat_once(
    sandbox: ChatSandbox, relay: ChatRelay
) -> None:
    who, contact = await chat_with_agent(sandbox, relay, None)
    long = "é" * 10_000  # two messages' worth

    for _ in range(2):
        # as when the gateway died before it knew the chat took them: handled again
        assert await relay.customer_says(who, "my parcel is lost", "wamid.A1") is True
        assert await relay.customer_says(who, long, "wamid.A2") is True
    # the same words as a new message are a new message
    assert await relay.customer_says(who, "my parcel is lost", "wamid.A3") is True

    said = [
        i["Content"]
        for i in transcript(sandbox, contact)
        if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "CUSTOMER"
    ]
    assert said[1:] == ["my parcel is lost", *message_parts(long), "my parcel is lost"]


async def test_agent_ending_the_chat_resumes_the_assistant_once(
    sandbox: ChatSandbox, relay: ChatRelay, customer: Customer
) -> None:
    who, contact = await chat_with_agent(sandbox, relay)
    agent(sandbox, contact, "messages", content="How can I  help?")
    assert await relay.customer_says(who, "my parcel\nis lost") is True

    agent(sandbox, contact, "end")
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
    who, contact = await chat_with_agent(sandbox, relay, None)

    assert await relay.customer_says(who, "  End   CHAT ") is True

    assert customer.resumed == [who] and customer.texts()[-1] == BACK
    kinds = [i.get("ContentType", "") for i in transcript(sandbox, contact)]
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
    first = make_relay()
    who, contact = await chat_with_agent(sandbox, first)
    agent(sandbox, contact, "messages", content="before the restart")
    await until(lambda: "before the restart" in customer.texts())
    await first.close()

    agent(sandbox, contact, "messages", content="while the gateway was down")
    second = make_relay()
    assert await second.resume_all() == 1
    await until(lambda: "while the gateway was down" in customer.texts())
    agent(sandbox, contact, "messages", content="after the restart")
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
    relay = make_relay(agent_wait_seconds=0.5)
    who, contact = await chat_with_agent(sandbox, relay)
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
