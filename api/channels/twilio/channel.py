"""Starting and stopping the Twilio channel with the app: storage opened, worker running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api.channels.twilio.client import TwilioClient
from api.channels.twilio.delivery import TwilioDeliverer
from api.channels.twilio.processor import TwilioProcessor
from api.channels.twilio.runtime import TwilioRuntime
from api.channels.twilio.store import TwilioStore
from api.channels.whatsapp.delivery import Backoff
from api.jobs.sqlite import SqliteQueue
from api.jobs.worker import QueueWorker, WorkerPolicy
from api.rasa import RasaClient
from api.settings import GatewaySettings

#: Twilio does not redeliver a webhook it got an answer to; its fallback URL may, soon after
DEDUP_SECONDS = 24 * 60 * 60


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
    settings: GatewaySettings, client: TwilioClient, store: TwilioStore
) -> TwilioDeliverer:
    """Sends from the configured WhatsApp number, retrying as the channel does."""
    if settings.twilio_whatsapp_number is None:
        raise ValueError("TWILIO_WHATSAPP_NUMBER is required")
    return TwilioDeliverer(
        client,
        store,
        settings.twilio_whatsapp_number,
        Backoff(settings.whatsapp_send_max_attempts, settings.whatsapp_retry_base_seconds),
    )


@asynccontextmanager
async def twilio_channel(
    app: FastAPI, settings: GatewaySettings, http: httpx.AsyncClient
) -> AsyncIterator[None]:
    """Run the channel for the app's lifetime; nothing at all when it is not configured."""
    if not twilio_configured(settings):
        yield
        return
    client = build_twilio_client(settings, http)
    queue = await asyncio.to_thread(SqliteQueue.open, settings.twilio_queue_db)
    store = await asyncio.to_thread(TwilioStore.open, settings.twilio_queue_db)
    deliverer = build_twilio_deliverer(settings, client, store)
    rasa = RasaClient(http, settings.rasa_url, settings.rasa_api_token)
    processor = TwilioProcessor(settings, rasa, client, store, deliverer)
    worker = QueueWorker(
        queue,
        processor.handle,
        WorkerPolicy(concurrency=settings.whatsapp_workers, key_ttl_seconds=DEDUP_SECONDS),
    )
    app.state.twilio = TwilioRuntime(queue=queue, store=store, worker=worker)
    worker.start()
    try:
        yield
    finally:
        await worker.stop()
        del app.state.twilio
        await queue.close()
        await store.close()
