"""Starting and stopping IVR handoffs and case notices with the app: queue, records, worker.

Both write to customers on WhatsApp, so they run only beside the WhatsApp channel, with their
own Graph client and the channel's records of service windows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api.channels.whatsapp.channel import build_graph_client
from api.channels.whatsapp.delivery import Backoff, Template
from api.channels.whatsapp.store import WhatsAppStore
from api.jobs.sqlite import SqliteQueue
from api.jobs.worker import QueueWorker, WorkerPolicy
from api.outreach.processor import OutreachProcessor
from api.outreach.records import OutreachRecords
from api.outreach.runtime import OutreachRuntime, Waiters
from api.outreach.sender import NoticeDeliverer, Outreach
from api.outreach.trigger import RasaTrigger
from api.settings import GatewaySettings


def _template(name: str | None, settings: GatewaySettings) -> Template | None:
    return Template(name, settings.whatsapp_template_language) if name else None


def build_notice_deliverer(
    settings: GatewaySettings, http: httpx.AsyncClient, store: WhatsAppStore
) -> NoticeDeliverer:
    """The deliverer of messages the assistant writes first on WhatsApp."""
    return NoticeDeliverer(
        build_graph_client(settings, http),
        store,
        _template(settings.whatsapp_template_name, settings),
        Backoff(settings.whatsapp_send_max_attempts, settings.whatsapp_retry_base_seconds),
        notice=_template(settings.whatsapp_notice_template_name, settings),
    )


@asynccontextmanager
async def outreach_channel(
    app: FastAPI, settings: GatewaySettings, http: httpx.AsyncClient
) -> AsyncIterator[None]:
    """Run handoffs and notices for the app's lifetime; nothing when neither is configured."""
    enabled = settings.ivr_shared_secret is not None or settings.case_events_api_key is not None
    if not enabled or settings.whatsapp_app_secret is None:
        yield
        return
    queue = await asyncio.to_thread(SqliteQueue.open, settings.proactive_queue_db)
    records = await asyncio.to_thread(OutreachRecords.open, settings.proactive_queue_db)
    store = await asyncio.to_thread(WhatsAppStore.open, settings.whatsapp_queue_db)
    deliverer = build_notice_deliverer(settings, http, store)
    trigger = RasaTrigger(http, settings.rasa_url, settings.rasa_api_token)
    waiters = Waiters()
    processor = OutreachProcessor(Outreach(trigger, deliverer), records, waiters)
    worker = QueueWorker(
        queue, processor.handle, WorkerPolicy(concurrency=settings.whatsapp_workers)
    )
    app.state.outreach = OutreachRuntime(
        queue=queue, records=records, worker=worker, waiters=waiters
    )
    worker.start()
    try:
        yield
    finally:
        await worker.stop()
        del app.state.outreach
        await queue.close()
        await records.close()
        await store.close()
