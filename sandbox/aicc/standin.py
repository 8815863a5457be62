"""The AICC stand-in as the sandbox app mounts it, under ``/aicc``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.aicc.routes import SERVICE_NAME, aicc_app
from sandbox.aicc.store import AiccStore
from sandbox.calls import CallCounter
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn

PREFIX = "/aicc"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; its tables open in the sandbox's database when the sandbox starts."""
    store = AiccStore(settings.db_path, zone=settings.aicc_time_zone)
    calls.register(SERVICE_NAME)
    app = aicc_app(
        store,
        settings.aicc_app_key,
        settings.aicc_app_secret,
        settings.aicc_token_seconds,
        on_call=lambda operation: calls.record(SERVICE_NAME, operation),
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        store.open()
        try:
            yield
        finally:
            store.close()

    return StandIn(name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime)
