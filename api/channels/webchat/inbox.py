"""Webchat notices: shown once, live on the page's open socket or with the next answer.

The assistant sometimes speaks first in a webchat conversation (a queued case was filed later,
an agent wrote in a live chat). Its replies wait in the inbox until they are shown: pushed to
a page that holds a websocket to any gateway, as a frame ``{"id": null, "notice": true,
"replies": [...]}`` (see ``api.channels.webchat.live``), or shown before the answer to the
conversation's next message. Whoever shows a notice takes it out of the inbox in the same step,
so it is shown once. ``Inbox`` is what the routes need of it; ``WebchatInbox`` keeps it in
SQLite (one machine), ``api.channels.webchat.redis_inbox`` in the Redis every gateway shares.
The app keeps the open inbox in ``app.state.webchat_inbox`` (``INBOX_STATE``). ``purge``
forgets notices nobody came back for, ``erase`` one person's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from typing import Protocol

from fastapi import WebSocket
from pydantic import JsonValue
from starlette.datastructures import State

from api.jobs.store import SqliteStore
from common.erasure import Person

logger = logging.getLogger(__name__)


Reply = dict[str, JsonValue]

#: where the open inbox is kept on ``app.state`` while anything writes first on webchat
INBOX_STATE = "webchat_inbox"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webchat_inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    replies TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS webchat_inbox_by_conversation ON webchat_inbox (conversation_id, id);
"""


class Inbox(Protocol):
    """Replies waiting to be shown, wherever they are kept."""

    async def add(self, conversation_id: str, replies: list[Reply]) -> str:
        """Keep ``replies`` until they are shown; the notice's id."""
        ...

    async def take(self, conversation_id: str) -> list[Reply]:
        """The conversation's waiting replies, oldest first, removed from the inbox."""
        ...

    async def take_notice(self, conversation_id: str, notice_id: str) -> list[Reply] | None:
        """The replies of one notice, removed; ``None`` when it was shown (or taken) already."""
        ...

    async def purge(self, older_than_seconds: float) -> int:
        """Forget notices waiting longer than that; how many went."""
        ...

    async def erase(self, person: Person) -> int:
        """Forget the notices of the person's conversations, or naming them; how many went."""
        ...

    async def close(self) -> None:
        """Release the inbox's resources."""
        ...


def inbox_of(state: State) -> Inbox | None:
    """The app's open inbox; ``None`` when nothing writes first on webchat."""
    inbox: Inbox | None = getattr(state, INBOX_STATE, None)
    return inbox


class WebchatInbox(SqliteStore):
    """An ``Inbox`` in a SQLite file."""

    SCHEMA = _SCHEMA

    async def add(self, conversation_id: str, replies: list[Reply]) -> str:
        """Keep ``replies`` until they are shown; the notice's id."""
        text = json.dumps(replies)

        def work(db: sqlite3.Connection) -> str:
            return str(
                db.execute(
                    "INSERT INTO webchat_inbox (conversation_id, replies, created_at) "
                    "VALUES (?, ?, ?)",
                    (conversation_id, text, self._clock()),
                ).lastrowid
            )

        return await self._run(work)

    async def take_notice(self, conversation_id: str, notice_id: str) -> list[Reply] | None:
        """The replies of one notice, removed; ``None`` when it was shown (or taken) already."""
        if not (notice_id.isascii() and notice_id.isdigit()):
            return None

        def work(db: sqlite3.Connection) -> list[Reply] | None:
            row = db.execute(
                "DELETE FROM webchat_inbox WHERE id = ? AND conversation_id = ? RETURNING replies",
                (int(notice_id), conversation_id),
            ).fetchone()
            return None if row is None else list(json.loads(row[0]))

        return await self._write(work)

    async def take(self, conversation_id: str) -> list[Reply]:
        """The conversation's waiting replies, oldest first, removed from the inbox."""

        def work(db: sqlite3.Connection) -> list[Reply]:
            # nearly every turn finds nothing: a plain read (which in WAL mode waits for no
            # writer) spares those turns the write lock the queues in this file also take
            waiting = db.execute(
                "SELECT 1 FROM webchat_inbox WHERE conversation_id = ? LIMIT 1", (conversation_id,)
            ).fetchone()
            if waiting is None:
                return []
            db.execute("BEGIN IMMEDIATE")
            try:
                rows = db.execute(
                    "SELECT id, replies FROM webchat_inbox WHERE conversation_id = ? ORDER BY id",
                    (conversation_id,),
                ).fetchall()
                db.executemany("DELETE FROM webchat_inbox WHERE id = ?", [(r[0],) for r in rows])
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            taken: list[Reply] = []
            for _, text in rows:
                taken.extend(json.loads(text))
            return taken

        return await self._run(work)

    async def purge(self, older_than_seconds: float) -> int:
        """Forget notices waiting longer than that; how many went."""
        cutoff = self._clock() - older_than_seconds
        return await self._write(
            lambda db: (
                db.execute("DELETE FROM webchat_inbox WHERE created_at < ?", (cutoff,)).rowcount
            )
        )

    async def erase(self, person: Person) -> int:
        """Forget the notices of the person's conversations, or naming them; how many went."""

        def work(db: sqlite3.Connection) -> int:
            doomed = [
                (row_id,)
                for row_id, conversation, replies in db.execute(
                    "SELECT id, conversation_id, replies FROM webchat_inbox"
                )
                if person.names(conversation) or person.found_in(replies)
            ]
            db.executemany("DELETE FROM webchat_inbox WHERE id = ?", doomed)
            return len(doomed)

        return await self._write(work)


class LiveSockets:
    """The webchat sockets open in this process, by the conversations they carry.

    Every frame goes through ``send``, so an answer and a pushed notice never interleave.
    """

    def __init__(self) -> None:
        self._by_conversation: dict[str, WebSocket] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def register(self, conversation_id: str, websocket: WebSocket) -> None:
        """``websocket`` now carries ``conversation_id`` (the newest socket wins)."""
        self._by_conversation[conversation_id] = websocket

    def holds(self, conversation_id: str) -> bool:
        """Whether a socket open in this process carries ``conversation_id``."""
        return conversation_id in self._by_conversation

    def forget(self, websocket: WebSocket) -> None:
        """``websocket`` closed: it carries nothing any more."""
        gone = [key for key, open_ in self._by_conversation.items() if open_ is websocket]
        for key in gone:
            del self._by_conversation[key]
        self._locks.pop(id(websocket), None)

    async def send(self, websocket: WebSocket, frame: dict[str, JsonValue]) -> None:
        """Send one frame on ``websocket``, after any frame being sent on it."""
        lock = self._locks.setdefault(id(websocket), asyncio.Lock())
        async with lock:
            await websocket.send_json(frame)

    async def push(self, conversation_id: str, replies: list[Reply]) -> bool:
        """Send ``replies`` as a notice on the conversation's socket; whether one took them."""
        websocket = self._by_conversation.get(conversation_id)
        if websocket is None:
            return False
        try:
            await self.send(websocket, {"id": None, "notice": True, "replies": list(replies)})
        except Exception as exc:  # a socket closing under us is any of several errors
            logger.info("Webchat socket gone before a notice: %s", type(exc).__name__)
            self.forget(websocket)
            return False
        return True
