"""The SQLite tables of the chat stand-in: chats, participants, sockets, items, attachments.

They sit in the sandbox's shared database file, so their names all start with ``chat``; a chat
outlives a sandbox restart. As in the other stand-ins, one connection in WAL mode behind a lock
serves every request thread, and each call is one short transaction. Items are numbered by
``seq`` as they are written: that order is the chat's order, and sockets follow it.
"""

from __future__ import annotations

from common import sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_contacts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id TEXT NOT NULL UNIQUE,
    instance_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    content_types TEXT NOT NULL,
    state TEXT NOT NULL,
    created_time TEXT NOT NULL,
    client_token TEXT,
    response TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS chat_contacts_by_token
    ON chat_contacts (instance_id, client_token) WHERE client_token IS NOT NULL;
CREATE INDEX IF NOT EXISTS chat_contacts_by_state ON chat_contacts (state, seq);
CREATE TABLE IF NOT EXISTS chat_participants (
    participant_id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES chat_contacts (contact_id),
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    participant_token TEXT UNIQUE,
    connection_token TEXT UNIQUE,
    connection_expires REAL,
    has_left INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chat_participants_by_contact ON chat_participants (contact_id);
CREATE TABLE IF NOT EXISTS chat_sockets (
    socket_key TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES chat_participants (participant_id),
    expires REAL NOT NULL,
    -- the socket relays the items after this one: those written once its URL was handed out
    after_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chat_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id TEXT NOT NULL REFERENCES chat_contacts (contact_id),
    item_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content TEXT,
    participant_id TEXT,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    absolute_time TEXT NOT NULL,
    transient INTEGER NOT NULL,
    attachments TEXT
);
CREATE INDEX IF NOT EXISTS chat_items_by_contact ON chat_items (contact_id, seq);
CREATE TABLE IF NOT EXISTS chat_attachments (
    attachment_id TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES chat_participants (participant_id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    upload_key TEXT NOT NULL,
    client_token TEXT NOT NULL,
    status TEXT NOT NULL,
    data BLOB,
    UNIQUE (participant_id, client_token)
);
CREATE TABLE IF NOT EXISTS chat_client_tokens (
    participant_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    token TEXT NOT NULL,
    response TEXT NOT NULL,
    PRIMARY KEY (participant_id, operation, token)
);
"""


class ChatDatabase(sqlite.SharedDatabase):
    """The sandbox's SQLite file as the chat stand-in uses it, shared by every request thread."""

    SCHEMA = SCHEMA
    SYNCHRONOUS = "NORMAL"
