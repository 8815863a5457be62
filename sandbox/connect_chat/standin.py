"""The chat stand-in as the sandbox app mounts it: the participant service under
``/connectparticipant``; its websocket, agent API and agent page at the sandbox's root."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.calls import CallCounter
from sandbox.connect_chat.db import ChatDatabase
from sandbox.connect_chat.routes import SERVICE_NAME, participant_app, sandbox_routes
from sandbox.connect_chat.store import ChatStore
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn

PREFIX = "/connectparticipant"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; its tables open in the sandbox's database file when it starts."""
    db = ChatDatabase(settings.db_path)
    store = ChatStore(db)
    calls.register(SERVICE_NAME)
    app = participant_app(
        db, store, on_call=lambda operation: calls.record(SERVICE_NAME, operation)
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        db.open()
        try:
            yield
        finally:
            db.close()

    return StandIn(
        name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime, routes=sandbox_routes(store)
    )
