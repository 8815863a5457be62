"""The live chats the gateway relays: one row per chat, kept in SQLite across restarts.

A row says where the customer is (conversation, channel, sender), which chat they are in
(contact and participant), the tokens that let the gateway take part as the customer, and the
last transcript item relayed to them: after a restart the relay reads the transcript from
there, so nothing is lost or told twice. A conversation has one live chat at most.

A chat with a case that ends leaves a transcript to file in the same transaction: it stays
(with its text once read, how often filing it failed and when to try again) until the case
has it, whatever happens to the gateway or the action server meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

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
CREATE TABLE IF NOT EXISTS transcripts_due (
    contact_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    case_ref TEXT NOT NULL,
    connection_token TEXT NOT NULL,
    transcript TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL
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


@dataclass(frozen=True)
class DueTranscript:
    """An ended chat's transcript that its case does not have yet."""

    contact_id: str
    case_ref: str
    connection_token: str
    #: the transcript's text, once read from the chat (``None`` until then)
    transcript: str | None
    #: how many times filing it has failed
    attempts: int


class RelayRecords(Protocol):
    """The live chats, their relay's leases and the transcripts due, wherever they are kept."""

    async def put(self, chat: LiveChat) -> LiveChat:
        """Keep ``chat`` as the conversation's live chat (replacing an older one), stamped now."""
        ...

    async def get(self, conversation_id: str) -> LiveChat | None:
        """The conversation's live chat, if it has one."""
        ...

    async def all(self) -> list[LiveChat]:
        """Every live chat, oldest first."""
        ...

    async def hold(self, owner: str, contact_ids: Sequence[str], lease_seconds: float) -> set[str]:
        """Take or renew for ``owner`` the lease of each chat still kept that no one else
        holds, for ``lease_seconds``; the chats ``owner`` now holds."""
        ...

    async def release(self, owner: str, contact_ids: Sequence[str]) -> None:
        """Give up the leases ``owner`` holds of those chats, for another to take at once."""
        ...

    async def relayed(self, contact_id: str, item_id: str, connection_token: str) -> None:
        """The item ``item_id`` of the chat has reached the customer; the connection in use."""
        ...

    async def agent_joined(self, contact_id: str) -> None:
        """An agent has joined the chat: it no longer waits for one."""
        ...

    async def erase(self, person: Person) -> int:
        """Forget the person's live chats and transcripts not yet filed; how many went."""
        ...

    async def end(self, contact_id: str, *, file_transcript: bool = False) -> bool:
        """The chat is over: forget it; whether it was still kept (one ending wins)."""
        ...

    async def due_transcripts(self, limit: int = 20) -> list[DueTranscript]:
        """Transcripts whose time to be filed has come, the longest waiting first."""
        ...

    async def claim_transcript(self, contact_id: str, hold_seconds: float) -> bool:
        """Take a due transcript to file it: no one else tries it for ``hold_seconds``;
        whether it was still due (one claim wins)."""
        ...

    async def next_transcript_due(self) -> float | None:
        """When the next transcript is due to be filed; ``None`` when none waits."""
        ...

    async def transcript_read(self, contact_id: str, transcript: str) -> None:
        """The transcript's text, read from the chat."""
        ...

    async def transcript_later(self, contact_id: str, delay_seconds: float) -> None:
        """Filing failed: one more failure, and the next try ``delay_seconds`` from now."""
        ...

    async def transcript_done(self, contact_id: str) -> None:
        """The case has the transcript (or it can never be filed): forget it."""
        ...

    async def close(self) -> None:
        """Let the store's connections go."""
        ...


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

    async def hold(self, owner: str, contact_ids: Sequence[str], lease_seconds: float) -> set[str]:
        """The chats still kept among ``contact_ids``: the one gateway of a file holds them all."""
        wanted = list(contact_ids)
        rows = await self._run(
            lambda db: db.execute("SELECT contact_id FROM live_chats").fetchall()
        )
        kept = {str(tuple(row)[0]) for row in rows}
        return {contact for contact in wanted if contact in kept}

    async def release(self, owner: str, contact_ids: Sequence[str]) -> None:
        """Nothing to give up: no other gateway shares the file."""

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
        """Forget the live chats of the person's conversations, and their transcripts not yet
        filed (erasure); how many went.

        The chat itself lives on in Amazon Connect, whose contact an agent can end.
        """

        def work(db: sqlite3.Connection) -> int:
            gone = 0
            for table in ("live_chats", "transcripts_due"):
                doomed = [
                    (conversation,)
                    for conversation, sender in db.execute(
                        f"SELECT conversation_id, sender FROM {table}"
                    )
                    if person.names(conversation) or person.names(sender)
                ]
                db.executemany(f"DELETE FROM {table} WHERE conversation_id = ?", doomed)
                gone += len(doomed)
            return gone

        return await self._write(work)

    async def end(self, contact_id: str, *, file_transcript: bool = False) -> bool:
        """The chat is over: forget it; whether it was still kept (one ending wins).

        With ``file_transcript``, a chat with a case leaves its transcript due at once.
        """
        now = self._clock()

        def work(db: sqlite3.Connection) -> bool:
            rows = db.execute(
                "SELECT conversation_id, sender, case_ref, connection_token FROM live_chats"
                " WHERE contact_id = ?",
                (contact_id,),
            ).fetchall()
            if not rows:
                return False
            db.execute("DELETE FROM live_chats WHERE contact_id = ?", (contact_id,))
            conversation, sender, case_ref, token = tuple(rows[0])
            if file_transcript and case_ref is not None:
                db.execute(
                    "INSERT OR IGNORE INTO transcripts_due (contact_id, conversation_id, sender,"
                    " case_ref, connection_token, due_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (contact_id, conversation, sender, case_ref, token, now),
                )
            return True

        return await self._write(work)

    async def due_transcripts(self, limit: int = 20) -> list[DueTranscript]:
        """Transcripts whose time to be filed has come, the longest waiting first."""
        now = self._clock()
        rows = await self._run(
            lambda db: db.execute(
                "SELECT contact_id, case_ref, connection_token, transcript, attempts"
                " FROM transcripts_due WHERE due_at <= ? ORDER BY due_at LIMIT ?",
                (now, limit),
            ).fetchall()
        )
        return [
            DueTranscript(str(c), str(r), str(t), None if x is None else str(x), int(a))
            for c, r, t, x, a in (tuple(row) for row in rows)
        ]

    async def claim_transcript(self, contact_id: str, hold_seconds: float) -> bool:
        """Take a due transcript to file it: not due again for ``hold_seconds``; whether it
        was due (one claim wins)."""
        now = self._clock()
        changed = await self._run(
            lambda db: (
                db.execute(
                    "UPDATE transcripts_due SET due_at = ? WHERE contact_id = ? AND due_at <= ?",
                    (now + hold_seconds, contact_id, now),
                ).rowcount
            )
        )
        return bool(changed)

    async def next_transcript_due(self) -> float | None:
        """When the next transcript is due to be filed; ``None`` when none waits."""
        rows = await self._run(
            lambda db: db.execute("SELECT MIN(due_at) FROM transcripts_due").fetchall()
        )
        value = tuple(rows[0])[0] if rows else None
        return None if value is None else float(value)

    async def transcript_read(self, contact_id: str, transcript: str) -> None:
        """The transcript's text, read from the chat: filing it needs the chat no more."""
        await self._run(
            lambda db: db.execute(
                "UPDATE transcripts_due SET transcript = ? WHERE contact_id = ?",
                (transcript, contact_id),
            )
        )

    async def transcript_later(self, contact_id: str, delay_seconds: float) -> None:
        """Filing failed: one more failure, and the next try ``delay_seconds`` from now."""
        due = self._clock() + delay_seconds
        await self._run(
            lambda db: db.execute(
                "UPDATE transcripts_due SET attempts = attempts + 1, due_at = ?"
                " WHERE contact_id = ?",
                (due, contact_id),
            )
        )

    async def transcript_done(self, contact_id: str) -> None:
        """The case has the transcript (or it can never be filed): forget it."""
        await self._run(
            lambda db: db.execute("DELETE FROM transcripts_due WHERE contact_id = ?", (contact_id,))
        )


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
