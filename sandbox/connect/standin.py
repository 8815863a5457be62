"""The Amazon Connect stand-in as the sandbox app mounts it, under ``/connect``.

Its chats are kept in the chat stand-in's tables of the sandbox's database file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.calls import CallCounter
from sandbox.connect.chats import ChatContacts
from sandbox.connect.files import FileStore
from sandbox.connect.instance import InstanceStore
from sandbox.connect.routes import SERVICE_NAME, connect_app
from sandbox.connect_chat.db import ChatDatabase
from sandbox.connect_chat.store import ChatStore
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn

PREFIX = "/connect"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; files and associations live in memory, chats in the database file."""
    calls.register(SERVICE_NAME)
    chat_db = ChatDatabase(settings.db_path)
    app = connect_app(
        FileStore(settings.region, settings.aws_account_id),
        InstanceStore(settings.region, settings.aws_account_id),
        ChatContacts(ChatStore(chat_db)),
        on_call=lambda operation: calls.record(SERVICE_NAME, operation),
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        chat_db.open()
        try:
            yield
        finally:
            chat_db.close()

    return StandIn(name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime)
