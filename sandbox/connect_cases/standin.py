"""The Connect Cases stand-in as the sandbox app mounts it, under ``/connectcases``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.calls import CallCounter
from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.db import Database
from sandbox.connect_cases.routes import SERVICE_NAME, connect_cases_app
from sandbox.connect_cases.seed import seed_domain
from sandbox.connect_cases.store import Store
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn

PREFIX = "/connectcases"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; its database opens and its domain is seeded when the sandbox starts."""
    db = Database(settings.db_path)
    store = Store(db)
    calls.register(SERVICE_NAME)
    app = connect_cases_app(
        store,
        Arns(settings.region, settings.aws_account_id),
        on_call=lambda operation: calls.record(SERVICE_NAME, operation),
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        db.open()
        try:
            if settings.seed_file is not None:
                seed_domain(store, settings.seed_file)
            yield
        finally:
            db.close()

    return StandIn(name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime)
