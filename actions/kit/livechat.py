"""A live chat with a person: what the handoff starts it with, and what the gateway is handed.

With ``HANDOFF_MODE=connect_chat`` the handoff starts an Amazon Connect chat for the customer
(``cases.connect.chat``) and hands the gateway, which owns the customer's channel, what it needs
to take part as the customer. That travels in the handoff's reply as a custom payload (Rasa's
``json_message``, the REST channel's ``custom``), the one bot message the gateway must take out
before the channel sees the replies::

    {"live_chat": {"contact_id": str, "participant_id": str, "participant_token": str,
                   "case_ref": str | null}}

The token is the customer's own credential for that chat, and the conversation's tracker keeps
it as Rasa keeps every bot message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from actions.kit.access import Viewer
from actions.kit.sdk import Tracker
from cases.backend import Case
from cases.connect.chat import ChatStart, get_connect_chat

#: the key of the custom payload the gateway takes the chat from
LIVE_CHAT_KEY = "live_chat"
#: what a customer with no known name is called in the agent's chat
DEFAULT_NAME = "Customer"


class LiveChat(Protocol):
    """Starts a chat between the customer and a person (``cases.connect.chat.ConnectChat``)."""

    async def start(
        self,
        display_name: str,
        attributes: Mapping[str, str],
        transcript: str,
        idempotency_key: str,
    ) -> ChatStart:
        """Start the chat; the same ``idempotency_key`` answers with the same chat."""


def process_live_chat() -> LiveChat:
    """The process's chat starter; ``BackendNotConfigured`` when its settings are missing."""
    return get_connect_chat()


def customer_name(tracker: Tracker) -> str:
    """The name the channel or the identity token gives the customer, else ``DEFAULT_NAME``."""
    metadata = tracker.latest_message.get("metadata")
    if isinstance(metadata, Mapping):
        identity = metadata.get("identity")
        for value in (
            metadata.get("name"),
            identity.get("name") if isinstance(identity, Mapping) else None,
        ):
            if isinstance(value, str) and value.strip():
                return value
    return DEFAULT_NAME


def chat_attributes(viewer: Viewer, case: Case | None) -> dict[str, str]:
    """The contact attributes the agent sees beside the chat: case, channel, conversation."""
    attributes = {"channel": viewer.channel, "conversationId": viewer.conversation_id}
    if case is not None:
        attributes["caseReference"] = case.ref
    return attributes


def handoff_key(tracker: Tracker) -> str:
    """One key per request for a person: a retried turn starts no second chat."""
    message_id = tracker.latest_message.get("message_id")
    return f"{tracker.sender_id}:{message_id or len(tracker.events)}"


def live_chat_payload(start: ChatStart, case: Case | None) -> dict[str, Any]:
    """The custom payload the gateway takes the chat from (see the module doc)."""
    return {
        LIVE_CHAT_KEY: {
            "contact_id": start.contact_id,
            "participant_id": start.participant_id,
            "participant_token": start.participant_token,
            "case_ref": None if case is None else case.ref,
        }
    }
