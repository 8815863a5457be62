"""The gateway's FastAPI application: ``uvicorn api.app:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.channels.twilio import webhook as twilio
from api.channels.twilio.channel import twilio_channel
from api.channels.webchat import messages as webchat
from api.channels.webchat import page as webchat_page
from api.channels.webchat import socket as webchat_socket
from api.channels.webchat.inbox import LiveSockets
from api.channels.whatsapp import webhook as whatsapp
from api.channels.whatsapp.channel import whatsapp_channel
from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.observability import CorrelationIdMiddleware
from api.outreach.case_events import webhook as case_events
from api.outreach.channel import outreach_channel
from api.outreach.ivr import webhook as ivr
from api.outreach.notices import webhook as notices
from api.outreach.notices.channel import notice_channel
from api.ratelimit import RateLimits
from api.routers import health, metrics
from api.settings import GatewaySettings, get_settings

STATIC_DIR = Path(__file__).parent / "channels" / "webchat" / "static"
# Rasa may take long to answer (custom actions call case back ends), connecting should not.
CONNECT_TIMEOUT_SECONDS = 5.0
HTTP_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def build_http_client(
    settings: GatewaySettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The HTTP client every request shares; ``transport`` None means the real network."""
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(settings.rasa_timeout_seconds, connect=CONNECT_TIMEOUT_SECONDS),
        limits=HTTP_LIMITS,
    )


def create_app(
    settings: GatewaySettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the gateway.

    ``settings`` default to the environment's; ``transport`` carries every outgoing HTTP request
    and defaults to the network (``httpx.MockTransport`` or a sandbox's ASGI app can stand in).
    """
    resolved = settings if settings is not None else get_settings()
    sockets = LiveSockets()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with build_http_client(resolved, transport) as http:
            app.state.http = http
            async with (
                whatsapp_channel(app, resolved, http),
                twilio_channel(app, resolved, http),
                outreach_channel(app, resolved, http),
                notice_channel(app, resolved, http, sockets),
            ):
                yield

    app = FastAPI(title="casebot gateway", lifespan=lifespan)
    app.state.settings = resolved
    app.state.webchat_sockets = sockets
    app.state.rate_limits = RateLimits.from_settings(resolved)
    app.add_middleware(BodySizeLimit, max_bytes=resolved.gateway_max_body_bytes)
    # outermost, so even a refused body's answer carries the correlation id
    app.add_middleware(CorrelationIdMiddleware)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(webchat_page.router)
    app.include_router(webchat.router)
    app.include_router(whatsapp.router)
    app.include_router(twilio.router)
    app.include_router(ivr.router)
    app.include_router(case_events.router)
    app.include_router(notices.router)
    app.include_router(webchat_socket.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
