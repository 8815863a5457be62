"""Chats, their participants and items, as the participant service and the agent side see them.

Every method is one transaction. Tokens are random and looked up by equality in an indexed
column. A chat's state is ``WAITING`` (queued, no agent yet), ``ACTIVE`` (an agent joined),
``ENDED``, or ``IN_FLOW`` for a chat on the closed flow: that flow runs once the customer is
connected (it says it is closed and ends the chat), so the customer's socket sees it happen.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sandbox.connect_chat import protocol
from sandbox.connect_chat.db import ChatDatabase
from sandbox.connect_chat.records import (
    SYSTEM_SPEAKER,
    Chat,
    Item,
    Participant,
    Speaker,
    chat_from_row,
    item_from_row,
    participant_from_row,
)
from sandbox.connect_chat.wakeup import Wakeup

WAITING, ACTIVE, ENDED, IN_FLOW = "WAITING", "ACTIVE", "ENDED", "IN_FLOW"

Clock = Callable[[], float]


class ChatStore:
    """Reads and writes chats in the sandbox's SQLite file."""

    def __init__(
        self, db: ChatDatabase, clock: Clock = time.time, wakeup: Wakeup | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        #: told of every item written, so the sockets of this process need not wait for a poll
        self.wakeup = wakeup or Wakeup()

    # --- chats -------------------------------------------------------------------------------

    def start_chat(
        self,
        *,
        instance_id: str,
        flow_id: str,
        display_name: str,
        attributes: dict[str, str],
        content_types: list[str],
        initial: tuple[str, str] | None,
        client_token: str | None,
        closed: bool,
    ) -> dict[str, Any]:
        """Create a waiting chat with its customer; the same client token gets the same answer."""
        with self._db.transaction() as conn:
            if client_token:
                row = conn.execute(
                    "SELECT response FROM chat_contacts WHERE instance_id = ? AND client_token = ?",
                    (instance_id, client_token),
                ).fetchone()
                if row is not None:
                    answer: dict[str, Any] = json.loads(row["response"])
                    return answer
            contact_id, participant_id = str(uuid.uuid4()), str(uuid.uuid4())
            answer = {
                "ContactId": contact_id,
                "ParticipantId": participant_id,
                "ParticipantToken": secrets.token_urlsafe(48),
            }
            conn.execute(
                "INSERT INTO chat_contacts (contact_id, instance_id, flow_id, attributes,"
                " content_types, state, created_time, client_token, response)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contact_id,
                    instance_id,
                    flow_id,
                    json.dumps(attributes),
                    json.dumps(content_types),
                    IN_FLOW if closed else WAITING,
                    self._iso(),
                    client_token or None,
                    json.dumps(answer),
                ),
            )
            conn.execute(
                "INSERT INTO chat_participants (participant_id, contact_id, role, display_name,"
                " participant_token) VALUES (?, ?, ?, ?, ?)",
                (
                    participant_id,
                    contact_id,
                    protocol.CUSTOMER,
                    display_name,
                    answer["ParticipantToken"],
                ),
            )
            customer = Speaker(participant_id, display_name, protocol.CUSTOMER)
            self._add(conn, contact_id, customer, "EVENT", protocol.JOINED, None)
            if initial is not None:
                self._add(conn, contact_id, customer, "MESSAGE", initial[0], initial[1])
            return answer

    def chats(self, state: str | None = None) -> list[Chat]:
        """Every chat (of one state), oldest first."""
        with self._db.transaction() as conn:
            if state is None:
                rows = conn.execute("SELECT * FROM chat_contacts ORDER BY seq").fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM chat_contacts WHERE state = ? ORDER BY seq", (state,)
                ).fetchall()
        return [chat_from_row(row) for row in rows]

    def chat(self, contact_id: str) -> Chat | None:
        """One chat, or ``None``."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM chat_contacts WHERE contact_id = ?", (contact_id,)
            ).fetchone()
        return None if row is None else chat_from_row(row)

    def participants(self, contact_id: str) -> list[Participant]:
        """The chat's participants, in no particular order."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM chat_participants WHERE contact_id = ?", (contact_id,)
            ).fetchall()
        return [participant_from_row(row) for row in rows]

    # --- tokens ------------------------------------------------------------------------------

    def by_participant_token(self, token: str) -> Participant | None:
        """The participant StartChatContact gave this token to."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM chat_participants WHERE participant_token = ?", (token,)
            ).fetchone()
        return None if row is None else participant_from_row(row)

    def connect(self, participant_token: str) -> tuple[Participant, str] | None:
        """Give the token's participant a connection token and a socket key; ``None`` if unknown.

        The connection token is made once and kept; every call gets a fresh socket key, whose
        socket relays what is written from now on. A chat on the closed flow runs it now.
        """
        now = self._clock()
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM chat_participants WHERE participant_token = ?",
                (participant_token,),
            ).fetchone()
            if row is None:
                return None
            if row["connection_token"] is None:
                conn.execute(
                    "UPDATE chat_participants SET connection_token = ?, connection_expires = ?"
                    " WHERE participant_id = ?",
                    (
                        secrets.token_urlsafe(48),
                        now + protocol.CONNECTION_TOKEN_SECONDS,
                        row["participant_id"],
                    ),
                )
            socket_key = secrets.token_urlsafe(32)
            after = conn.execute(
                "SELECT COALESCE(MAX(seq), 0) AS seq FROM chat_items WHERE contact_id = ?",
                (row["contact_id"],),
            ).fetchone()["seq"]
            conn.execute(
                "INSERT INTO chat_sockets (socket_key, participant_id, expires, after_seq)"
                " VALUES (?, ?, ?, ?)",
                (
                    socket_key,
                    row["participant_id"],
                    now + protocol.WEBSOCKET_CONNECT_SECONDS,
                    after,
                ),
            )
            self._run_closed_flow(conn, row["contact_id"])
            fresh = conn.execute(
                "SELECT * FROM chat_participants WHERE participant_id = ?",
                (row["participant_id"],),
            ).fetchone()
        return participant_from_row(fresh), socket_key

    def by_connection_token(self, token: str) -> Participant | None:
        """The participant whose unexpired connection token this is."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM chat_participants WHERE connection_token = ?", (token,)
            ).fetchone()
        if row is None or (row["connection_expires"] or 0) < self._clock():
            return None
        return participant_from_row(row)

    def by_socket_key(self, key: str) -> tuple[Participant, int] | None:
        """The participant a websocket URL was handed to, while it may still be opened, and the
        ``seq`` its socket relays items after."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT p.*, s.expires, s.after_seq FROM chat_sockets s"
                " JOIN chat_participants p USING (participant_id) WHERE s.socket_key = ?",
                (key,),
            ).fetchone()
        if row is None or row["expires"] < self._clock():
            return None
        return participant_from_row(row), int(row["after_seq"])

    # --- items -------------------------------------------------------------------------------

    def add_item(
        self,
        contact_id: str,
        speaker: Speaker,
        kind: str,
        content_type: str,
        content: str | None,
        *,
        idempotency: tuple[str, str] | None = None,
        attachments: list[dict[str, str]] | None = None,
    ) -> Item:
        """Append one item; with ``(operation, client token)`` a repeated call adds nothing."""
        with self._db.transaction() as conn:
            if idempotency is not None and speaker.participant_id is not None:
                row = conn.execute(
                    "SELECT i.* FROM chat_client_tokens t JOIN chat_items i"
                    " ON i.item_id = t.response"
                    " WHERE t.participant_id = ? AND t.operation = ? AND t.token = ?",
                    (speaker.participant_id, *idempotency),
                ).fetchone()
                if row is not None:
                    return item_from_row(row)
            item = self._add(conn, contact_id, speaker, kind, content_type, content, attachments)
            if idempotency is not None and speaker.participant_id is not None:
                conn.execute(
                    "INSERT INTO chat_client_tokens (participant_id, operation, token, response)"
                    " VALUES (?, ?, ?, ?)",
                    (speaker.participant_id, *idempotency, item.item_id),
                )
            return item

    def items_after(self, contact_id: str, seq: int, limit: int = 200) -> list[Item]:
        """Items written after ``seq``, in order (transient ones included)."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM chat_items WHERE contact_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (contact_id, seq, limit),
            ).fetchall()
        return [item_from_row(row) for row in rows]

    def transcript(self, contact_id: str) -> list[Item]:
        """The chat's items a transcript holds, in order."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM chat_items WHERE contact_id = ? AND transient = 0 ORDER BY seq",
                (contact_id,),
            ).fetchall()
        return [item_from_row(row) for row in rows]

    # --- the agent's side and the end --------------------------------------------------------

    def join_agent(self, contact_id: str, display_name: str) -> Item | None:
        """An agent joins a waiting chat: its joined event (``None`` if the chat is not waiting)."""
        with self._db.transaction() as conn:
            updated = conn.execute(
                "UPDATE chat_contacts SET state = ? WHERE contact_id = ? AND state = ?",
                (ACTIVE, contact_id, WAITING),
            ).rowcount
            if not updated:
                return None
            participant_id = str(uuid.uuid4())
            conn.execute(
                "INSERT INTO chat_participants (participant_id, contact_id, role, display_name)"
                " VALUES (?, ?, ?, ?)",
                (participant_id, contact_id, protocol.AGENT, display_name),
            )
            agent = Speaker(participant_id, display_name, protocol.AGENT)
            return self._add(conn, contact_id, agent, "EVENT", protocol.JOINED, None)

    def leave(self, participant: Participant) -> bool:
        """The participant leaves, which ends the chat; ``False`` when it had already ended."""
        speaker = Speaker(participant.participant_id, participant.display_name, participant.role)
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE chat_participants SET has_left = 1 WHERE participant_id = ?",
                (participant.participant_id,),
            )
            state = conn.execute(
                "SELECT state FROM chat_contacts WHERE contact_id = ?", (participant.contact_id,)
            ).fetchone()["state"]
            if state == ENDED:
                return False
            self._add(conn, participant.contact_id, speaker, "EVENT", protocol.LEFT, None)
            self._end(conn, participant.contact_id)
        return True

    def _run_closed_flow(self, conn: sqlite3.Connection, contact_id: str) -> None:
        updated = conn.execute(
            "UPDATE chat_contacts SET state = ? WHERE contact_id = ? AND state = ?",
            (ENDED, contact_id, IN_FLOW),
        ).rowcount
        if updated:
            self._add(
                conn, contact_id, SYSTEM_SPEAKER, "MESSAGE", protocol.PLAIN, protocol.CLOSED_MESSAGE
            )
            self._end(conn, contact_id)

    def _end(self, conn: sqlite3.Connection, contact_id: str) -> None:
        conn.execute("UPDATE chat_contacts SET state = ? WHERE contact_id = ?", (ENDED, contact_id))
        self._add(conn, contact_id, SYSTEM_SPEAKER, "EVENT", protocol.ENDED, None)

    def _add(
        self,
        conn: sqlite3.Connection,
        contact_id: str,
        speaker: Speaker,
        kind: str,
        content_type: str,
        content: str | None,
        attachments: list[dict[str, str]] | None = None,
    ) -> Item:
        item = Item(
            seq=0,
            contact_id=contact_id,
            item_id=str(uuid.uuid4()),
            type=kind,
            content_type=content_type,
            content=content,
            participant_id=speaker.participant_id,
            display_name=speaker.display_name,
            role=speaker.role,
            absolute_time=self._iso(),
            transient=content_type in protocol.TRANSIENT_EVENTS,
            attachments=attachments,
        )
        cursor = conn.execute(
            "INSERT INTO chat_items (contact_id, item_id, type, content_type, content,"
            " participant_id, display_name, role, absolute_time, transient, attachments)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.contact_id,
                item.item_id,
                item.type,
                item.content_type,
                item.content,
                item.participant_id,
                item.display_name,
                item.role,
                item.absolute_time,
                int(item.transient),
                None if attachments is None else json.dumps(attachments),
            ),
        )
        # the database lock is held until commit, so a woken socket reads the item once committed
        self.wakeup.notify()
        return replace(item, seq=int(cursor.lastrowid or 0))

    def _iso(self) -> str:
        moment = datetime.fromtimestamp(self._clock(), UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
