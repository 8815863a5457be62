"""Helpers of the live relay's tests: the customer's side, and the chat stand-in driven as the
action server starts a chat and as an agent answers it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from api.handoff.relay import ChatRelay
from api.handoff.store import LiveChat
from api.handoff.transcripts import Outcome
from api.rasa import BotMessage
from tests.unit.sandbox.connect_chat.support import FLOW, INSTANCE, ChatSandbox, aws_client


class Customer:
    """What reached the customer's channel (words, and the agent typing), the conversations
    resumed, and the transcripts filed."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []
        self.typing: list[str] = []
        self.resumed: list[str] = []
        self.filed: list[tuple[str | None, str]] = []

    async def file(self, case_ref: str, contact_id: str, text: str) -> Outcome:
        self.filed.append((case_ref, text))
        return "filed"

    async def deliver(self, chat: LiveChat, messages: list[BotMessage]) -> bool:
        self.told.extend((chat.conversation_id, m.text or "") for m in messages)
        return True

    async def agent_typing(self, chat: LiveChat) -> None:
        self.typing.append(chat.conversation_id)

    async def resume(self, conversation_id: str) -> None:
        self.resumed.append(conversation_id)

    def texts(self) -> list[str]:
        return [text for _, text in self.told]


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


async def chat_with_agent(
    sandbox: ChatSandbox, relay: ChatRelay, name: str | None = "Sam"
) -> tuple[str, str]:
    """A webchat conversation handed to a new chat through ``relay``, which an agent (called
    ``name``, or unnamed) accepted: the conversation's id and the chat's contact id."""
    who = conversation()
    handed = handoff(sandbox)
    await relay.open(who, "webchat", who.split(":")[1], handed)
    contact_id: str = handed["contact_id"]
    if name is None:
        agent(sandbox, contact_id, "accept")
    else:
        agent(sandbox, contact_id, "accept", displayName=name)
    return who, contact_id
