"""Starting and stopping the WhatsApp channel with the app: its parts opened, its worker running.

``open_whatsapp`` builds the Graph client and opens the channel's records once per process
(in the Redis every gateway shares when ``GATEWAY_QUEUE_URL`` is set, else in
``WHATSAPP_QUEUE_DB``); the channel's pipeline and whatever else writes on WhatsApp (outreach,
notices) share them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from api.channels.whatsapp.client import GraphClient
from api.channels.whatsapp.delivery import Deliverer, template
from api.channels.whatsapp.processor import WhatsAppProcessor
from api.channels.whatsapp.redis_store import RedisWhatsAppStore
from api.channels.whatsapp.runtime import WhatsAppRuntime
from api.channels.whatsapp.store import WhatsAppRecords, WhatsAppStore
from api.jobs.pipeline import open_store, pipeline
from api.jobs.worker import WorkerPolicy
from api.outbound import Backoff
from api.rasa import RasaClient
from api.settings import GatewaySettings
from common.retention import DAY_SECONDS


@dataclass(frozen=True)
class WhatsApp:
    """What everything that writes on WhatsApp shares: one Graph client, one set of records."""

    graph: GraphClient
    store: WhatsAppRecords


def build_graph_client(settings: GatewaySettings, http: httpx.AsyncClient) -> GraphClient:
    """The Graph API client for the configured phone number."""
    if settings.whatsapp_access_token is None or settings.whatsapp_phone_number_id is None:
        raise ValueError("WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID are required")
    return GraphClient(
        http,
        settings.whatsapp_api_base_url,
        settings.whatsapp_api_version,
        settings.whatsapp_phone_number_id,
        settings.whatsapp_access_token,
    )


async def open_whatsapp_records(settings: GatewaySettings) -> WhatsAppRecords:
    """The channel's records: in the shared Redis when configured, else in its SQLite file."""
    kept = settings.delivery_record_retention_days * DAY_SECONDS

    def shared(url: str) -> WhatsAppRecords:
        return RedisWhatsAppStore.from_url(url, keep_seconds=kept)

    return await open_store(settings, WhatsAppStore.open, settings.whatsapp_queue_db, shared)


@asynccontextmanager
async def open_whatsapp(
    settings: GatewaySettings, http: httpx.AsyncClient
) -> AsyncIterator[WhatsApp | None]:
    """The channel's shared parts for the app's lifetime; ``None`` when it is not configured."""
    if settings.whatsapp_app_secret is None:
        yield None
        return
    graph = build_graph_client(settings, http)
    store = await open_whatsapp_records(settings)
    try:
        yield WhatsApp(graph, store)
    finally:
        await store.close()


@asynccontextmanager
async def whatsapp_channel(
    app: FastAPI, settings: GatewaySettings, rasa: RasaClient, whatsapp: WhatsApp | None
) -> AsyncIterator[None]:
    """Run the channel for the app's lifetime; nothing at all when it is not configured."""
    if whatsapp is None:
        yield
        return
    async with pipeline(app, settings, "whatsapp", settings.whatsapp_queue_db) as running:
        kept = settings.delivery_record_retention_days * DAY_SECONDS
        running.retain("delivery records", lambda: whatsapp.store.purge(kept))
        deliverer = Deliverer(
            whatsapp.graph,
            whatsapp.store,
            template(settings.whatsapp_template_name, settings.whatsapp_template_language),
            Backoff.from_settings(settings),
        )
        processor = WhatsAppProcessor(settings, rasa, whatsapp.graph, whatsapp.store, deliverer)
        running.run(
            processor.handle,
            WorkerPolicy(concurrency=settings.whatsapp_workers),
            lambda worker: WhatsAppRuntime(running.queue, whatsapp.store, worker),
        )
        yield
