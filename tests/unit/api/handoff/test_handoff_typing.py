"""Typing in a live chat: the agent's reaches the customer's channel, the customer's reaches the
agent (SendEvent), and neither is taken for a transcript item."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from api.handoff.relay import ChatRelay
from tests.unit.api.handoff.live_chat import (
    Customer,
    agent,
    chat_with_agent,
    conversation,
    transcript,
    until,
)
from tests.unit.sandbox.connect_chat.support import ChatSandbox

TYPING = "application/vnd.amazonaws.connect.event.typing"


async def test_a_relay_picking_up_a_chat_whose_agent_last_typed_misses_nothing(
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay], customer: Customer
) -> None:
    first = make_relay(typing=True)
    who, contact = await chat_with_agent(sandbox, first)
    agent(sandbox, contact, "messages", content="One moment.")
    await until(lambda: "One moment." in customer.texts())
    # typing is no transcript item: reading the transcript from it would fail
    agent(sandbox, contact, "typing")
    await asyncio.sleep(0.5)
    await first.close()

    second = make_relay(typing=True)
    await second.resume_all()
    agent(sandbox, contact, "messages", content="Found it.")
    await until(lambda: "Found it." in customer.texts())
    await second.close()

    assert customer.texts() == [
        "Sam from our team has joined the chat.",
        "One moment.",
        "Found it.",
    ]


async def test_the_agent_typing_reaches_the_customers_channel_as_typing_only(
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay], customer: Customer
) -> None:
    relay = make_relay(typing=True)
    who, contact = await chat_with_agent(sandbox, relay)

    agent(sandbox, contact, "typing")
    agent(sandbox, contact, "typing")
    await until(lambda: len(customer.typing) == 2)
    await relay.close()

    assert customer.typing == [who, who]
    assert customer.texts() == ["Sam from our team has joined the chat."]


async def test_the_customer_typing_reaches_the_agent_and_nothing_else(
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay], customer: Customer
) -> None:
    relay = make_relay(typing=True)
    who, contact = await chat_with_agent(sandbox, relay)

    assert await relay.customer_typing(who) is True
    assert await relay.customer_typing(conversation()) is False
    # the agent's next words come after the typing event on the chat's feed
    agent(sandbox, contact, "messages", content="Still there?")
    await until(lambda: "Still there?" in customer.texts())
    await relay.close()

    items = transcript(sandbox, contact)
    typed = [i for i in items if i.get("ContentType") == TYPING]
    assert [(i["ParticipantRole"], i["Type"]) for i in typed] == [("CUSTOMER", "EVENT")]
    # the customer's own typing is not shown back to them as the agent's
    assert customer.typing == []
