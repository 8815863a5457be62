"""Starting and stopping the WhatsApp channel with the app: storage opened, worker running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from api.channels.whatsapp.client import GraphClient
from api.channels.whatsapp.delivery import Backoff, Deliverer, Template
from api.channels.whatsapp.processor import WhatsAppProcessor
from api.channels.whatsapp.runtime import WhatsAppRuntime
from api.channels.whatsapp.store import WhatsAppStore
from api.jobs.queue import JobQueue
from api.jobs.redis import RedisQueue, queue_prefix
from api.jobs.sqlite import SqliteQueue
from api.jobs.worker import QueueWorker, WorkerPolicy
from api.rasa import RasaClient
from api.settings import GatewaySettings


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


async def open_queue(settings: GatewaySettings, path: Path, name: str) -> JobQueue:
    """The queue ``name``: in Redis, shared by every gateway, when configured; else in ``path``."""
    if settings.gateway_queue_url is not None:
        url = settings.gateway_queue_url.get_secret_value()
        return RedisQueue.from_url(url, prefix=queue_prefix(name))
    return await asyncio.to_thread(SqliteQueue.open, path)


@asynccontextmanager
async def whatsapp_channel(
    app: FastAPI, settings: GatewaySettings, http: httpx.AsyncClient
) -> AsyncIterator[None]:
    """Run the channel for the app's lifetime; nothing at all when it is not configured."""
    if settings.whatsapp_app_secret is None:
        yield
        return
    graph = build_graph_client(settings, http)
    queue = await open_queue(settings, settings.whatsapp_queue_db, "whatsapp")
    store = await asyncio.to_thread(WhatsAppStore.open, settings.whatsapp_queue_db)
    template = (
        Template(settings.whatsapp_template_name, settings.whatsapp_template_language)
        if settings.whatsapp_template_name
        else None
    )
    deliverer = Deliverer(
        graph,
        store,
        template,
        Backoff(settings.whatsapp_send_max_attempts, settings.whatsapp_retry_base_seconds),
    )
    rasa = RasaClient(http, settings.rasa_url, settings.rasa_api_token)
    processor = WhatsAppProcessor(settings, rasa, graph, store, deliverer)
    worker = QueueWorker(
        queue, processor.handle, WorkerPolicy(concurrency=settings.whatsapp_workers)
    )
    app.state.whatsapp = WhatsAppRuntime(queue=queue, store=store, worker=worker)
    worker.start()
    try:
        yield
    finally:
        await worker.stop()
        del app.state.whatsapp
        await queue.close()
        await store.close()
