"""The records of the chat stand-in: a chat, a participant, an item, who an item is from."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox.connect_chat import protocol


@dataclass(frozen=True)
class Chat:
    """One chat contact."""

    seq: int
    contact_id: str
    instance_id: str
    flow_id: str
    state: str
    created_time: str
    attributes: dict[str, str]
    content_types: list[str]


@dataclass(frozen=True)
class Participant:
    """One participant of a chat; only a customer has tokens."""

    participant_id: str
    contact_id: str
    role: str
    display_name: str
    connection_token: str | None
    connection_expires: float | None
    has_left: bool


@dataclass(frozen=True)
class Item:
    """One message or event of a chat, numbered in the chat's order by ``seq``."""

    seq: int
    contact_id: str
    item_id: str
    type: str
    content_type: str
    content: str | None
    participant_id: str | None
    display_name: str
    role: str
    absolute_time: str
    transient: bool
    #: an ATTACHMENT item's files, as the transcript's ``Attachments`` spells them
    attachments: list[dict[str, str]] | None = None

    def transcript_entry(self) -> dict[str, Any]:
        """The item as GetTranscript (and the websocket) spells it."""
        entry: dict[str, Any] = {
            "AbsoluteTime": self.absolute_time,
            "ContentType": self.content_type,
            "Id": self.item_id,
            "Type": self.type,
            "DisplayName": self.display_name,
            "ParticipantRole": self.role,
            "ContactId": self.contact_id,
        }
        if self.content is not None:
            entry["Content"] = self.content
        if self.participant_id is not None:
            entry["ParticipantId"] = self.participant_id
        if self.attachments is not None:
            entry["Attachments"] = self.attachments
        return entry


@dataclass(frozen=True)
class Speaker:
    """Who an item is from."""

    participant_id: str | None
    display_name: str
    role: str


#: who the flow's messages and the chat's end are from
SYSTEM_SPEAKER = Speaker(None, protocol.SYSTEM_NAME, protocol.SYSTEM)


def chat_from_row(row: sqlite3.Row) -> Chat:
    """A chat from its ``chat_contacts`` row."""
    return Chat(
        seq=row["seq"],
        contact_id=row["contact_id"],
        instance_id=row["instance_id"],
        flow_id=row["flow_id"],
        state=row["state"],
        created_time=row["created_time"],
        attributes=json.loads(row["attributes"]),
        content_types=json.loads(row["content_types"]),
    )


def participant_from_row(row: sqlite3.Row) -> Participant:
    """A participant from its ``chat_participants`` row."""
    return Participant(
        participant_id=row["participant_id"],
        contact_id=row["contact_id"],
        role=row["role"],
        display_name=row["display_name"],
        connection_token=row["connection_token"],
        connection_expires=row["connection_expires"],
        has_left=bool(row["has_left"]),
    )


def item_from_row(row: sqlite3.Row) -> Item:
    """An item from its ``chat_items`` row."""
    return Item(
        seq=row["seq"],
        contact_id=row["contact_id"],
        item_id=row["item_id"],
        type=row["type"],
        content_type=row["content_type"],
        content=row["content"],
        participant_id=row["participant_id"],
        display_name=row["display_name"],
        role=row["role"],
        absolute_time=row["absolute_time"],
        transient=bool(row["transient"]),
        attachments=None if row["attachments"] is None else json.loads(row["attachments"]),
    )
