"""Typing in a live chat: the agent's reaches the customer's channel, the customer's reaches the
agent (SendEvent), and neither is taken for a transcript item."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from api.handoff.relay import ChatRelay
from tests.unit.api.handoff.live_chat import (
    Customer,
    agent,
    conversation,
    handoff,
    transcript,
    until,
)
from tests.unit.sandbox.connect_chat.support import ChatSandbox

TYPING = "application/vnd.amazonaws.connect.event.typing"


async def test_a_relay_picking_up_a_chat_whose_agent_last_typed_misses_nothing(
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay], customer: Customer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    first = make_relay(typing=True)
    await first.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")
    agent(sandbox, handed["contact_id"], "messages", content="One moment.")
    await until(lambda: "One moment." in customer.texts())
    # typing is no transcript item: reading the transcript from it would fail
    agent(sandbox, handed["contact_id"], "typing")
    await asyncio.sleep(0.5)
    await first.close()

    second = make_relay(typing=True)
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
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay], customer: Customer
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    relay = make_relay(typing=True)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")

    agent(sandbox, handed["contact_id"], "typing")
    agent(sandbox, handed["contact_id"], "typing")
    await until(lambda: len(customer.typing) == 2)
    await relay.close()

    assert customer.typing == [who, who]
    assert customer.texts() == ["Sam from our team has joined the chat."]


async def test_the_customer_typing_reaches_the_agent_and_nothing_else(
    sandbox: ChatSandbox, make_relay: Callable[..., ChatRelay]
) -> None:
    who = conversation()
    handed = handoff(sandbox)
    relay = make_relay(typing=True)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    agent(sandbox, handed["contact_id"], "accept", displayName="Sam")

    assert await relay.customer_typing(who) is True
    assert await relay.customer_typing(conversation()) is False
    await relay.close()

    items = transcript(sandbox, handed["contact_id"])
    typed = [i for i in items if i.get("ContentType") == TYPING]
    assert [(i["ParticipantRole"], i["Type"]) for i in typed] == [("CUSTOMER", "EVENT")]
