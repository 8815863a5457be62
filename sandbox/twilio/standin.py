"""The Twilio stand-in as the sandbox app mounts it, under ``/twilio``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.calls import CallCounter
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn
from sandbox.twilio.routes import SERVICE_NAME, twilio_app
from sandbox.twilio.state import TwilioState

PREFIX = "/twilio"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; it keeps everything in memory, so a restart starts it afresh."""
    state = TwilioState()
    calls.register(SERVICE_NAME)
    app = twilio_app(
        state,
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        on_call=lambda operation: calls.record(SERVICE_NAME, operation),
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        yield
        state.reset()

    return StandIn(name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime)
