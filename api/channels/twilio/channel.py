"""Starting and stopping the Twilio channel with the app: its parts opened, its worker running.

``open_twilio`` builds the Messages API client, opens the channel's records (in the Redis every
gateway shares when ``GATEWAY_QUEUE_URL`` is set, else in ``TWILIO_QUEUE_DB``) and builds its
deliverer once per process; the channel's pipeline and the notices share them. The queue is
shared the same way, so a webhook Twilio sends to two gateways is answered once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from api.channels.twilio.client import TwilioClient
from api.channels.twilio.delivery import TwilioDeliverer
from api.channels.twilio.processor import TwilioProcessor
from api.channels.twilio.redis_store import RedisTwilioStore
from api.channels.twilio.runtime import TwilioRuntime
from api.channels.twilio.store import TwilioRecords, TwilioStore
from api.jobs.pipeline import open_store, pipeline
from api.jobs.worker import WorkerPolicy
from api.outbound import Backoff
from api.rasa import RasaClient
from api.settings import GatewaySettings
from common.retention import DAY_SECONDS

#: Twilio does not redeliver a webhook it got an answer to; its fallback URL may, soon after
DEDUP_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Twilio:
    """What everything that writes through Twilio shares: one client, records and deliverer."""

    client: TwilioClient
    store: TwilioRecords
    deliverer: TwilioDeliverer


def twilio_configured(settings: GatewaySettings) -> bool:
    """Whether the settings name a Twilio account, its token and its WhatsApp number."""
    return None not in (
        settings.twilio_auth_token,
        settings.twilio_account_sid,
        settings.twilio_whatsapp_number,
    )


def build_twilio_client(settings: GatewaySettings, http: httpx.AsyncClient) -> TwilioClient:
    """The Messages API client of the configured account."""
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if sid is None or token is None:
        raise ValueError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required")
    return TwilioClient(http, settings.twilio_api_base_url, sid, token)


def build_twilio_deliverer(
    settings: GatewaySettings, client: TwilioClient, store: TwilioRecords
) -> TwilioDeliverer:
    """Sends from the configured WhatsApp number, retrying as every channel does."""
    if settings.twilio_whatsapp_number is None:
        raise ValueError("TWILIO_WHATSAPP_NUMBER is required")
    return TwilioDeliverer(
        client, store, settings.twilio_whatsapp_number, Backoff.from_settings(settings)
    )


async def open_twilio_records(settings: GatewaySettings) -> TwilioRecords:
    """The channel's records: in the shared Redis when configured, else in its SQLite file."""
    kept = settings.delivery_record_retention_days * DAY_SECONDS

    def shared(url: str) -> TwilioRecords:
        return RedisTwilioStore.from_url(url, keep_seconds=kept)

    return await open_store(settings, TwilioStore.open, settings.twilio_queue_db, shared)


@asynccontextmanager
async def open_twilio(
    settings: GatewaySettings, http: httpx.AsyncClient
) -> AsyncIterator[Twilio | None]:
    """The channel's shared parts for the app's lifetime; ``None`` when it is not configured."""
    if not twilio_configured(settings):
        yield None
        return
    client = build_twilio_client(settings, http)
    store = await open_twilio_records(settings)
    try:
        yield Twilio(client, store, build_twilio_deliverer(settings, client, store))
    finally:
        await store.close()


@asynccontextmanager
async def twilio_channel(
    app: FastAPI, settings: GatewaySettings, rasa: RasaClient, twilio: Twilio | None
) -> AsyncIterator[None]:
    """Run the channel for the app's lifetime; nothing at all when it is not configured."""
    if twilio is None:
        yield
        return
    async with pipeline(app, settings, "twilio", settings.twilio_queue_db) as running:
        kept = settings.delivery_record_retention_days * DAY_SECONDS
        running.retain("delivery records", lambda: twilio.store.purge(kept))
        processor = TwilioProcessor(settings, rasa, twilio.client, twilio.store, twilio.deliverer)
        running.run(
            processor.handle,
            WorkerPolicy(concurrency=settings.whatsapp_workers, key_ttl_seconds=DEDUP_SECONDS),
            lambda worker: TwilioRuntime(running.queue, twilio.store, worker),
        )
        yield
