"""The live chats this gateway relays: one row per chat, kept in SQLite across restarts.

A row says where the customer is (conversation, channel, sender), which chat they are in
(contact and participant), the tokens that let the gateway take part as the customer, and the
last transcript item relayed to them: after a restart the relay reads the transcript from
there, so nothing is lost or told twice. A conversation has one live chat at most.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from api.jobs.store import SqliteStore
from common.erasure import Person

_SCHEMA = """
CREATE TABLE IF NOT EXISTS live_chats (
    conversation_id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    sender TEXT NOT NULL,
    contact_id TEXT NOT NULL UNIQUE,
    participant_id TEXT NOT NULL,
    participant_token TEXT NOT NULL,
    connection_token TEXT NOT NULL,
    case_ref TEXT,
    last_item_id TEXT,
    started_at REAL NOT NULL,
    agent_joined INTEGER NOT NULL DEFAULT 0
);
"""

_COLUMNS = (
    "conversation_id, channel, sender, contact_id, participant_id, participant_token,"
    " connection_token, case_ref, last_item_id, started_at, agent_joined"
)


@dataclass(frozen=True)
class LiveChat:
    """One chat between a customer and a person, as the relay keeps it."""

    conversation_id: str
    channel: str
    sender: str
    contact_id: str
    participant_id: str
    participant_token: str
    connection_token: str
    case_ref: str | None = None
    #: the transcript item (its Id) last relayed to the customer
    last_item_id: str | None = None
    started_at: float = 0.0
    #: whether an agent has joined the chat (until then it may time out)
    agent_joined: bool = False


class RelayStore(SqliteStore):
    """Live chats by conversation, in a SQLite file."""

    SCHEMA = _SCHEMA

    async def put(self, chat: LiveChat) -> LiveChat:
        """Keep ``chat`` as the conversation's live chat (replacing an older one), stamped now."""
        kept = replace(chat, started_at=chat.started_at or self._clock())
        values = tuple(getattr(kept, name.strip()) for name in _COLUMNS.split(","))
        await self._run(
            lambda db: db.execute(
                f"INSERT OR REPLACE INTO live_chats ({_COLUMNS}) VALUES ({', '.join('?' * 11)})",
                values,
            )
        )
        return kept

    async def get(self, conversation_id: str) -> LiveChat | None:
        """The conversation's live chat, if it has one."""
        rows = await self._run(
            lambda db: db.execute(
                f"SELECT {_COLUMNS} FROM live_chats WHERE conversation_id = ?", (conversation_id,)
            ).fetchall()
        )
        return _chat(rows[0]) if rows else None

    async def all(self) -> list[LiveChat]:
        """Every live chat, oldest first: the relay resumes them all when the gateway starts."""
        rows = await self._run(
            lambda db: db.execute(
                f"SELECT {_COLUMNS} FROM live_chats ORDER BY started_at, conversation_id"
            ).fetchall()
        )
        return [_chat(row) for row in rows]

    async def relayed(self, contact_id: str, item_id: str, connection_token: str) -> None:
        """The item ``item_id`` of the chat has reached the customer; the connection in use."""
        await self._run(
            lambda db: db.execute(
                "UPDATE live_chats SET last_item_id = ?, connection_token = ? WHERE contact_id = ?",
                (item_id, connection_token, contact_id),
            )
        )

    async def agent_joined(self, contact_id: str) -> None:
        """An agent has joined the chat: it no longer waits for one."""
        await self._run(
            lambda db: db.execute(
                "UPDATE live_chats SET agent_joined = 1 WHERE contact_id = ?", (contact_id,)
            )
        )

    async def erase(self, person: Person) -> int:
        """Forget the live chats of the person's conversations (erasure); how many went.

        The chat itself lives on in Amazon Connect, whose contact an agent can end.
        """

        def work(db: sqlite3.Connection) -> int:
            doomed = [
                (conversation,)
                for conversation, sender in db.execute(
                    "SELECT conversation_id, sender FROM live_chats"
                )
                if person.names(conversation) or person.names(sender)
            ]
            db.executemany("DELETE FROM live_chats WHERE conversation_id = ?", doomed)
            return len(doomed)

        return await self._write(work)

    async def end(self, contact_id: str) -> bool:
        """The chat is over: forget it; whether it was still kept (one ending wins)."""
        cursor = await self._run(
            lambda db: db.execute("DELETE FROM live_chats WHERE contact_id = ?", (contact_id,))
        )
        return cursor.rowcount > 0


def _chat(row: sqlite3.Row | tuple[Any, ...]) -> LiveChat:
    names = [name.strip() for name in _COLUMNS.split(",")]
    found = dict(zip(names, tuple(row), strict=True))

    def optional(name: str) -> str | None:
        return None if found[name] is None else str(found[name])

    return LiveChat(
        conversation_id=str(found["conversation_id"]),
        channel=str(found["channel"]),
        sender=str(found["sender"]),
        contact_id=str(found["contact_id"]),
        participant_id=str(found["participant_id"]),
        participant_token=str(found["participant_token"]),
        connection_token=str(found["connection_token"]),
        case_ref=optional("case_ref"),
        last_item_id=optional("last_item_id"),
        started_at=float(found["started_at"]),
        agent_joined=bool(found["agent_joined"]),
    )
