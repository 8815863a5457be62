"""Starting and stopping notices about queued cases with the app: queue, worker, inbox.

Enabled by ``INTERNAL_API_TOKEN``. Notices reach webchat always, and WhatsApp and Twilio
when those channels are configured; their queue lives in Redis when ``GATEWAY_QUEUE_URL``
is set (every gateway shares it), else in ``NOTICE_QUEUE_DB``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI

from api.channels.twilio.channel import (
    build_twilio_client,
    build_twilio_deliverer,
    twilio_configured,
)
from api.channels.twilio.store import TwilioStore
from api.channels.webchat.inbox import LiveSockets, WebchatInbox
from api.channels.whatsapp.channel import open_queue
from api.channels.whatsapp.store import WhatsAppStore
from api.jobs.worker import QueueWorker, WorkerPolicy
from api.outreach.channel import build_notice_deliverer
from api.outreach.notices.channels import (
    NoticeChannel,
    TwilioNotices,
    WebchatNotices,
    WhatsAppNotices,
)
from api.outreach.notices.processor import NoticeProcessor
from api.outreach.notices.runtime import NoticeRuntime
from api.outreach.records import OutreachRecords
from api.outreach.trigger import RasaTrigger
from api.settings import GatewaySettings


@asynccontextmanager
async def notice_channel(
    app: FastAPI, settings: GatewaySettings, http: httpx.AsyncClient, sockets: LiveSockets
) -> AsyncIterator[None]:
    """Run notices for the app's lifetime; nothing when ``INTERNAL_API_TOKEN`` is unset."""
    if settings.internal_api_token is None:
        yield
        return
    async with AsyncExitStack() as stack:
        path = settings.notice_queue_db
        queue = await open_queue(settings, path, "notices")
        stack.push_async_callback(queue.close)
        records = await asyncio.to_thread(OutreachRecords.open, path)
        stack.push_async_callback(records.close)
        inbox = await asyncio.to_thread(WebchatInbox.open, path)
        stack.push_async_callback(inbox.close)
        channels: dict[str, NoticeChannel] = {"webchat": WebchatNotices(inbox, sockets)}
        if settings.whatsapp_app_secret is not None:
            whatsapp_store = await asyncio.to_thread(WhatsAppStore.open, settings.whatsapp_queue_db)
            stack.push_async_callback(whatsapp_store.close)
            deliverer = build_notice_deliverer(settings, http, whatsapp_store)
            channels["whatsapp"] = WhatsAppNotices(deliverer)
        if twilio_configured(settings):
            twilio_store = await asyncio.to_thread(TwilioStore.open, settings.twilio_queue_db)
            stack.push_async_callback(twilio_store.close)
            client = build_twilio_client(settings, http)
            channels["twilio"] = TwilioNotices(
                build_twilio_deliverer(settings, client, twilio_store)
            )
        trigger = RasaTrigger(http, settings.rasa_url, settings.rasa_api_token)
        processor = NoticeProcessor(trigger, channels, records)
        # Rasa down for hours must not lose a notice: the action server counts it delivered
        policy = WorkerPolicy(concurrency=settings.whatsapp_workers, max_attempts=60)
        worker = QueueWorker(queue, processor.handle, policy)
        app.state.notices = NoticeRuntime(
            queue=queue,
            records=records,
            worker=worker,
            inbox=inbox,
            channels=frozenset(channels),
        )
        worker.start()
        try:
            yield
        finally:
            await worker.stop()
            del app.state.notices
