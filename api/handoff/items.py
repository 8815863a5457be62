"""What the chat's socket and transcript carry, and what of it the customer is shown.

Only what AWS documents of the socket is relied on: the ``aws/subscribe`` request and
``aws/chat`` frames carrying transcript items. Shown to the customer: messages of the agent and
of the contact flow (``SYSTEM``), and an agent joining.
"""

from __future__ import annotations

import json

from api.handoff.participant import ChatItem

JOINED_EVENT = "application/vnd.amazonaws.connect.event.participant.joined"
ENDED_EVENT = "application/vnd.amazonaws.connect.event.chat.ended"
TYPING_EVENT = "application/vnd.amazonaws.connect.event.typing"
#: events the socket carries that no transcript holds: reading the transcript from one fails
PASSING = frozenset(
    {
        TYPING_EVENT,
        "application/vnd.amazonaws.connect.event.message.delivered",
        "application/vnd.amazonaws.connect.event.message.read",
        "application/vnd.amazonaws.connect.event.connection.acknowledged",
    }
)
SUBSCRIBE = json.dumps({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
_SHOWN_ROLES = frozenset({"AGENT", "SYSTEM"})


def told(item: ChatItem) -> str | None:
    """What the customer is shown of an item, if anything."""
    if item.role not in _SHOWN_ROLES:
        return None
    if item.kind == "MESSAGE" and item.content.strip():
        return item.content
    if item.content_type == JOINED_EVENT and item.role == "AGENT":
        return f"{item.display_name or 'A person'} from our team has joined the chat."
    return None


def item_of(frame: str | bytes) -> ChatItem | None:
    """The transcript item an ``aws/chat`` frame carries; ``None`` for any other frame."""
    try:
        message = json.loads(frame)
        if not isinstance(message, dict) or message.get("topic") != "aws/chat":
            return None
        item = json.loads(message.get("content") or "")
    except (ValueError, TypeError):
        return None
    return ChatItem.of(item) if isinstance(item, dict) else None
