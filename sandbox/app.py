"""The sandbox app: every stand-in mounted under its prefix, plus the sandbox's own endpoints.

Run it with ``uvicorn sandbox.app:create_app --factory --port 8081``. A new stand-in is a
package with a ``create_stand_in(settings, calls)`` factory, listed in ``STAND_INS``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager

from fastapi import FastAPI

from sandbox.aicc.standin import create_stand_in as aicc
from sandbox.calls import CallCounter
from sandbox.connect.standin import create_stand_in as connect
from sandbox.connect_cases.standin import create_stand_in as connect_cases
from sandbox.connect_chat.standin import create_stand_in as connect_chat
from sandbox.control import control_router
from sandbox.customer_profiles.standin import create_stand_in as customer_profiles
from sandbox.faults import FaultInjector, FaultPlan
from sandbox.ses.standin import create_stand_in as ses
from sandbox.settings import SandboxSettings, get_settings
from sandbox.standin import StandIn
from sandbox.twilio.standin import create_stand_in as twilio
from sandbox.whatsapp.standin import create_stand_in as whatsapp

StandInFactory = Callable[[SandboxSettings, CallCounter], StandIn]

#: every stand-in the sandbox serves
STAND_INS: tuple[StandInFactory, ...] = (
    connect_cases,
    connect,
    connect_chat,
    customer_profiles,
    whatsapp,
    aicc,
    twilio,
    ses,
)


def create_app(settings: SandboxSettings | None = None) -> FastAPI:
    """Build the sandbox app; storage opens and seeds load when it starts (its lifespan)."""
    settings = settings or get_settings()
    calls = CallCounter()
    faults = FaultPlan()
    stand_ins = [factory(settings, calls) for factory in STAND_INS]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:
            for stand_in in stand_ins:
                stack.enter_context(stand_in.lifetime())
            yield

    app = FastAPI(title="casebot sandbox", lifespan=lifespan)
    app.include_router(control_router(calls, faults))
    for stand_in in stand_ins:
        # ahead of the mounts, so ``/connect/agent`` is not taken for an Amazon Connect call
        app.router.routes.extend(stand_in.routes)
    for stand_in in stand_ins:
        app.mount(
            stand_in.prefix, FaultInjector(stand_in.app, stand_in.name, faults), name=stand_in.name
        )
    return app
