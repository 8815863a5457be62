"""The WhatsApp Cloud API stand-in as the sandbox app mounts it, under ``/whatsapp``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.calls import CallCounter
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn
from sandbox.whatsapp.routes import SERVICE_NAME, whatsapp_app
from sandbox.whatsapp.state import GraphState
from sandbox.whatsapp.templates import auth_templates

PREFIX = "/whatsapp"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; it keeps everything in memory, so a restart starts it afresh."""
    state = GraphState(templates=auth_templates(settings.whatsapp_auth_templates))
    calls.register(SERVICE_NAME)
    app = whatsapp_app(
        state,
        settings.whatsapp_access_token,
        on_call=lambda operation: calls.record(SERVICE_NAME, operation),
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        yield
        state.reset()

    return StandIn(name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime)
