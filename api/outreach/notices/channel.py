"""Starting and stopping notices about queued cases with the app: queue, records, worker.

Enabled by ``INTERNAL_API_TOKEN``. One-time codes go out on WhatsApp when it is configured, at
once and never queued (``WhatsAppCodes``). Notices reach webchat always (the page's socket on any
gateway, else the webchat inbox the app opens), and WhatsApp and Twilio when those channels
are configured (through the deliverers the app builds once); their queue and records live in
Redis when ``GATEWAY_QUEUE_URL`` is set (every gateway shares them), else in
``NOTICE_QUEUE_DB``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.channels.twilio.delivery import TwilioDeliverer
from api.channels.webchat.inbox import Inbox, LiveSockets
from api.jobs.pipeline import pipeline
from api.jobs.worker import WorkerPolicy
from api.outreach.delivery import NoticeDeliverer
from api.outreach.notices.delivery import (
    NoticeChannel,
    TwilioNotices,
    WebchatNotices,
    WhatsAppCodes,
    WhatsAppNotices,
)
from api.outreach.notices.processor import NoticeProcessor
from api.outreach.notices.runtime import NoticeRuntime
from api.outreach.records import OutreachRecords, Records
from api.outreach.redis_records import RedisOutreachRecords, records_prefix
from api.rasa import RasaClient
from api.settings import GatewaySettings
from common.retention import DAY_SECONDS


@asynccontextmanager
async def notice_channel(
    app: FastAPI,
    settings: GatewaySettings,
    rasa: RasaClient,
    sockets: LiveSockets,
    inbox: Inbox | None,
    whatsapp: NoticeDeliverer | None,
    twilio: TwilioDeliverer | None,
) -> AsyncIterator[None]:
    """Run notices for the app's lifetime; nothing when ``INTERNAL_API_TOKEN`` is unset.

    ``inbox`` is the webchat inbox the app opened (``None`` only when notices are off);
    ``whatsapp`` and ``twilio`` are those channels' deliverers, ``None`` when not configured.
    """
    if settings.internal_api_token is None or inbox is None:
        yield
        return
    path = settings.notice_queue_db
    kept = settings.outreach_record_retention_days * DAY_SECONDS

    def shared(url: str) -> Records:
        return RedisOutreachRecords.from_url(
            url, prefix=records_prefix("notices"), keep_seconds=kept
        )

    async with pipeline(app, settings, "notices", path) as running:
        records = await running.open(OutreachRecords.open, path, shared)
        running.retain("records", lambda: records.purge(kept))
        channels: dict[str, NoticeChannel] = {"webchat": WebchatNotices(inbox, sockets)}
        if whatsapp is not None:
            channels["whatsapp"] = WhatsAppNotices(whatsapp)
        if twilio is not None:
            channels["twilio"] = TwilioNotices(twilio)
        processor = NoticeProcessor(rasa, channels, records)
        codes = None if whatsapp is None else WhatsAppCodes(whatsapp)
        # Rasa down for hours must not lose a notice: the action server counts it delivered
        policy = WorkerPolicy(concurrency=settings.whatsapp_workers, max_attempts=60)
        running.run(
            processor.handle,
            policy,
            lambda worker: NoticeRuntime(
                running.queue, records, worker, frozenset(channels), codes
            ),
        )
        yield
