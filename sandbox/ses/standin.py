"""The SES v2 stand-in as the sandbox app mounts it, under ``/ses``; what it sent is read at
``/_sandbox/ses/outbound-emails``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.calls import CallCounter
from sandbox.ses.routes import SERVICE_NAME, sandbox_routes, ses_app
from sandbox.ses.store import SentMail
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn

PREFIX = "/ses"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; it keeps what it sent in memory, so a restart starts it afresh."""
    sent = SentMail()
    calls.register(SERVICE_NAME)
    identities = [i for i in settings.ses_verified_identities.split(",") if i.strip()]
    app = ses_app(
        sent,
        identities,
        settings.region,
        on_call=lambda operation: calls.record(SERVICE_NAME, operation),
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        yield
        sent.reset()

    return StandIn(
        name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime, routes=sandbox_routes(sent)
    )
