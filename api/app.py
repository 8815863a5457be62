"""The gateway's FastAPI application: ``uvicorn api.app:create_app --factory``.

Its lifespan builds every client and opens every store once (``Resources``, kept in
``app.state.resources``) and hands each part the ones it uses: the Rasa client to the webchat
routes and every channel, WhatsApp's Graph client and records to its channel and to the
outreach and notices that write on WhatsApp, Twilio's to its channel and to the notices, and
the deliverers of every channel to the live relay of chats with a person. Its housekeeper
(``api.jobs.retention``) purges, while the app runs, what each part registers and the users'
media older than ``MEDIA_RETENTION_DAYS``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.channels.twilio import webhook as twilio
from api.channels.twilio.channel import Twilio, open_twilio, twilio_channel
from api.channels.twilio.delivery import TwilioDeliverer
from api.channels.webchat import messages as webchat
from api.channels.webchat import page as webchat_page
from api.channels.webchat import socket as webchat_socket
from api.channels.webchat.channel import webchat_inbox
from api.channels.webchat.inbox import LiveSockets
from api.channels.whatsapp import webhook as whatsapp
from api.channels.whatsapp.channel import WhatsApp, open_whatsapp, whatsapp_channel
from api.errors import install_error_handlers
from api.handoff import routes as handoff_routes
from api.handoff.channel import ChannelDeliverer, handoff_channel
from api.jobs.retention import HOUSEKEEPER_STATE, Housekeeper
from api.limits import BodySizeLimit
from api.observability import CorrelationIdMiddleware
from api.outreach.case_events import webhook as case_events
from api.outreach.channel import build_notice_deliverer, outreach_channel
from api.outreach.delivery import NoticeDeliverer
from api.outreach.ivr import webhook as ivr
from api.outreach.notices import webhook as notices
from api.outreach.notices.channel import notice_channel
from api.outreach.notices.delivery import TwilioNotices, WhatsAppNotices
from api.rasa import RasaClient
from api.ratelimit import RateLimits
from api.routers import health, metrics
from api.settings import GatewaySettings, get_settings
from common.retention import older_than, purge_folder

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


@dataclass(frozen=True)
class Resources:
    """The clients and stores the gateway builds once and every part of it shares."""

    rasa: RasaClient
    #: the WhatsApp channel's Graph client and records; ``None`` when it is not configured
    whatsapp: WhatsApp | None
    #: what the assistant writing first on WhatsApp sends through (the same client and records)
    whatsapp_notices: NoticeDeliverer | None
    #: the Twilio channel's client, records and deliverer; ``None`` when it is not configured
    twilio: Twilio | None


async def open_resources(
    stack: AsyncExitStack, settings: GatewaySettings, http: httpx.AsyncClient
) -> Resources:
    """Build the shared clients and open the shared stores; ``stack`` closes them."""
    whatsapp = await stack.enter_async_context(open_whatsapp(settings, http))
    twilio = await stack.enter_async_context(open_twilio(settings, http))
    return Resources(
        rasa=RasaClient(
            http, settings.rasa_url, settings.rasa_api_token, settings.rasa_max_message_chars
        ),
        whatsapp=whatsapp,
        whatsapp_notices=None if whatsapp is None else build_notice_deliverer(settings, whatsapp),
        twilio=twilio,
    )


def media_housekeeper(settings: GatewaySettings) -> Housekeeper:
    """A housekeeper that already purges the users' media folder."""
    housekeeper = Housekeeper(settings.retention_purge_every_seconds)
    folder, days = settings.whatsapp_media_dir, settings.media_retention_days

    async def purge_media() -> int:
        return await asyncio.to_thread(purge_folder, folder, older_than(days, time.time()))

    housekeeper.add("media", purge_media)
    return housekeeper


def relay_deliverers(
    shared: Resources, twilio: TwilioDeliverer | None
) -> dict[str, ChannelDeliverer]:
    """What a live chat's words reach WhatsApp and Twilio customers through, when configured."""
    found: dict[str, ChannelDeliverer] = {}
    if shared.whatsapp_notices is not None:
        found["whatsapp"] = WhatsAppNotices(shared.whatsapp_notices)
    if twilio is not None:
        found["twilio"] = TwilioNotices(twilio)
    return found


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
        async with build_http_client(resolved, transport) as http, AsyncExitStack() as stack:
            app.state.http = http
            stack.push_async_callback(app.state.rate_limits.aclose)
            shared = await open_resources(stack, resolved, http)
            app.state.resources = shared
            app.state.rasa = shared.rasa
            housekeeper = media_housekeeper(resolved)
            setattr(app.state, HOUSEKEEPER_STATE, housekeeper)
            stack.push_async_callback(housekeeper.stop)
            twilio_deliverer = None if shared.twilio is None else shared.twilio.deliverer
            inbox = await stack.enter_async_context(webchat_inbox(app, resolved, sockets))
            async with (
                whatsapp_channel(app, resolved, shared.rasa, shared.whatsapp),
                twilio_channel(app, resolved, shared.rasa, shared.twilio),
                outreach_channel(app, resolved, shared.rasa, shared.whatsapp_notices),
                notice_channel(
                    app,
                    resolved,
                    shared.rasa,
                    sockets,
                    inbox,
                    shared.whatsapp_notices,
                    twilio_deliverer,
                ),
                handoff_channel(
                    app,
                    resolved,
                    shared.rasa,
                    sockets,
                    http,
                    relay_deliverers(shared, twilio_deliverer),
                ),
            ):
                # every part has registered what it keeps by now
                housekeeper.start()
                yield
                await housekeeper.stop()

    app = FastAPI(title="casebot gateway", lifespan=lifespan)
    app.state.settings = resolved
    app.state.webchat_sockets = sockets
    queue_url = resolved.gateway_queue_url
    app.state.rate_limits = RateLimits.from_settings(
        resolved, None if queue_url is None else queue_url.get_secret_value()
    )
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
    # for the action server only: nothing a client of the gateway should learn of
    app.include_router(notices.router, include_in_schema=False)
    app.include_router(webchat_socket.router)
    app.include_router(handoff_routes.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
