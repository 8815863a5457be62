"""The Amazon Connect stand-in as the sandbox app mounts it, under ``/connect``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.calls import CallCounter
from sandbox.connect.files import FileStore
from sandbox.connect.instance import InstanceStore
from sandbox.connect.routes import SERVICE_NAME, connect_app
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn

PREFIX = "/connect"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; its files and associations live in memory for the sandbox's life."""
    calls.register(SERVICE_NAME)
    app = connect_app(
        FileStore(settings.region, settings.aws_account_id),
        InstanceStore(settings.region, settings.aws_account_id),
        on_call=lambda operation: calls.record(SERVICE_NAME, operation),
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        yield

    return StandIn(name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime)
