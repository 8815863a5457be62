"""The agent's side of a chat, for a person (or a test) playing the agent: a sandbox-only API.

Under ``/_sandbox/connect-chat``: list chats (``?state=WAITING|ACTIVE|ENDED``), read one with
its items after a ``seq`` (``?after=``), ``accept`` a waiting chat (the agent joins: a
participant.joined event), send ``messages`` and ``typing`` as the agent, and ``end`` the chat
(the agent leaves, then chat.ended). Nothing here is part of Amazon Connect's API; a chat nobody
accepts simply waits.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from sandbox.connect_chat import protocol
from sandbox.connect_chat.records import Chat, Item, Participant, Speaker
from sandbox.connect_chat.store import ACTIVE, ENDED, WAITING, ChatStore

PREFIX = "/_sandbox/connect-chat"
DEFAULT_AGENT = "Agent"


class DeskError(Exception):
    """A desk action that cannot be done, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AgentDesk:
    """What an agent can do with the chats in the store."""

    def __init__(self, store: ChatStore) -> None:
        self.store = store

    def chat(self, contact_id: str) -> Chat:
        """The chat, or a 404."""
        chat = self.store.chat(contact_id)
        if chat is None:
            raise DeskError(404, "No such chat")
        return chat

    def accept(self, contact_id: str, display_name: str = DEFAULT_AGENT) -> Item:
        """The agent joins a waiting chat; its participant.joined event."""
        self.chat(contact_id)
        joined = self.store.join_agent(contact_id, display_name)
        if joined is None:
            raise DeskError(409, "The chat is not waiting for an agent")
        return joined

    def send(self, contact_id: str, content: str, content_type: str = protocol.PLAIN) -> Item:
        """A message from the agent of an active chat."""
        chat = self.chat(contact_id)
        if content_type not in chat.content_types:
            raise DeskError(400, f"The chat does not support {content_type} messages")
        if not content or len(content.encode()) > protocol.MAX_CONTENT_BYTES:
            raise DeskError(400, "A message is 1 to 16384 bytes")
        return self.store.add_item(contact_id, self._agent(chat), "MESSAGE", content_type, content)

    def typing(self, contact_id: str) -> Item:
        """The agent is typing."""
        chat = self.chat(contact_id)
        return self.store.add_item(contact_id, self._agent(chat), "EVENT", protocol.TYPING, None)

    def end(self, contact_id: str) -> None:
        """The agent ends the chat: it leaves, and the chat ends."""
        chat = self.chat(contact_id)
        if chat.state == WAITING:
            raise DeskError(409, "Accept the chat before ending it")
        if chat.state == ENDED or not self.store.leave(self._agent_participant(chat)):
            raise DeskError(409, "The chat has already ended")

    def _agent(self, chat: Chat) -> Speaker:
        agent = self._agent_participant(chat)
        return Speaker(agent.participant_id, agent.display_name, agent.role)

    def _agent_participant(self, chat: Chat) -> Participant:
        if chat.state != ACTIVE:
            raise DeskError(409, "The chat is not active")
        for participant in self.store.participants(chat.contact_id):
            if participant.role == protocol.AGENT:
                return participant
        raise DeskError(409, "The chat has no agent")


def summary(desk: AgentDesk, chat: Chat) -> dict[str, Any]:
    """A chat as the agent's lists show it."""
    customer = next(
        (p for p in desk.store.participants(chat.contact_id) if p.role == protocol.CUSTOMER), None
    )
    return {
        "contactId": chat.contact_id,
        "state": chat.state,
        "createdTime": chat.created_time,
        "customer": customer.display_name if customer else "",
        "attributes": chat.attributes,
    }


def item_view(item: Item) -> dict[str, Any]:
    """An item as the agent side shows it: the transcript entry and its place in the chat."""
    return {"seq": item.seq, **item.transcript_entry()}


class _Accept(BaseModel):
    model_config = ConfigDict(extra="forbid")
    displayName: str = Field(default=DEFAULT_AGENT, min_length=1, max_length=256)  # noqa: N815


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: str = Field(min_length=1)
    contentType: str = protocol.PLAIN  # noqa: N815


def agent_router(desk: AgentDesk) -> APIRouter:
    """The agent API's routes."""
    router = APIRouter(prefix=PREFIX)

    def run(action: Any, *args: Any) -> Any:
        try:
            return action(*args)
        except DeskError as exc:
            raise HTTPException(exc.status, exc.message) from exc

    @router.get("/chats")
    def list_chats(state: str | None = None) -> dict[str, Any]:
        if state not in (None, WAITING, ACTIVE, ENDED):
            raise HTTPException(400, "state is WAITING, ACTIVE or ENDED")
        return {"chats": [summary(desk, chat) for chat in desk.store.chats(state)]}

    @router.get("/chats/{contact_id}")
    def read_chat(contact_id: str, after: int = 0) -> dict[str, Any]:
        chat = run(desk.chat, contact_id)
        items = desk.store.items_after(contact_id, after)
        return {"chat": summary(desk, chat), "items": [item_view(item) for item in items]}

    @router.post("/chats/{contact_id}/accept")
    def accept(contact_id: str, body: _Accept | None = None) -> dict[str, Any]:
        name = body.displayName if body else DEFAULT_AGENT
        return item_view(run(desk.accept, contact_id, name))

    @router.post("/chats/{contact_id}/messages")
    def send(contact_id: str, body: _Message) -> dict[str, Any]:
        return item_view(run(desk.send, contact_id, body.content, body.contentType))

    @router.post("/chats/{contact_id}/typing")
    def typing(contact_id: str) -> dict[str, Any]:
        return item_view(run(desk.typing, contact_id))

    @router.post("/chats/{contact_id}/end")
    def end(contact_id: str) -> dict[str, Any]:
        run(desk.end, contact_id)
        return summary(desk, run(desk.chat, contact_id))

    return router
