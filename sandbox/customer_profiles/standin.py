"""The Customer Profiles stand-in as the sandbox app mounts it, under ``/profiles``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.calls import CallCounter
from sandbox.customer_profiles.arns import ProfileArns
from sandbox.customer_profiles.case_objects import CaseObjects
from sandbox.customer_profiles.operations import seed_domain
from sandbox.customer_profiles.routes import SERVICE_NAME, customer_profiles_app
from sandbox.customer_profiles.store import ProfileStore
from sandbox.settings import SandboxSettings
from sandbox.standin import StandIn

PREFIX = "/profiles"


def create_stand_in(settings: SandboxSettings, calls: CallCounter) -> StandIn:
    """Build the stand-in; its tables open and its domain is created when the sandbox starts."""
    store = ProfileStore(settings.db_path)
    cases = CaseObjects(settings.db_path, ProfileArns(settings.region, settings.aws_account_id))
    calls.register(SERVICE_NAME)
    app = customer_profiles_app(
        store, cases, on_call=lambda operation: calls.record(SERVICE_NAME, operation)
    )

    @contextmanager
    def lifetime() -> Iterator[None]:
        store.open()
        try:
            cases.open()
            try:
                if settings.customer_profiles_domain is not None:
                    seed_domain(store, settings.customer_profiles_domain)
                yield
            finally:
                cases.close()
        finally:
            store.close()

    return StandIn(name=SERVICE_NAME, prefix=PREFIX, app=app, lifetime=lifetime)
