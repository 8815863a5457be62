"""Starting and stopping notices about queued cases with the app: queue, worker, inbox.

Enabled by ``INTERNAL_API_TOKEN``. Notices reach webchat always, and WhatsApp and Twilio
when those channels are configured (through the deliverers the app builds once); their queue
lives in Redis when ``GATEWAY_QUEUE_URL`` is set (every gateway shares it), else in
``NOTICE_QUEUE_DB``. The webchat inbox is kept in ``app.state.webchat_inbox`` while notices
run, where the webchat routes take the notices waiting for a conversation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.channels.twilio.delivery import TwilioDeliverer
from api.channels.webchat.inbox import INBOX_STATE, LiveSockets, WebchatInbox
from api.jobs.pipeline import pipeline
from api.jobs.worker import WorkerPolicy
from api.outreach.delivery import NoticeDeliverer
from api.outreach.notices.delivery import (
    NoticeChannel,
    TwilioNotices,
    WebchatNotices,
    WhatsAppNotices,
)
from api.outreach.notices.processor import NoticeProcessor
from api.outreach.notices.runtime import NoticeRuntime
from api.outreach.records import OutreachRecords
from api.rasa import RasaClient
from api.settings import GatewaySettings
from common.retention import DAY_SECONDS


@asynccontextmanager
async def notice_channel(
    app: FastAPI,
    settings: GatewaySettings,
    rasa: RasaClient,
    sockets: LiveSockets,
    whatsapp: NoticeDeliverer | None,
    twilio: TwilioDeliverer | None,
) -> AsyncIterator[None]:
    """Run notices for the app's lifetime; nothing when ``INTERNAL_API_TOKEN`` is unset.

    ``whatsapp`` and ``twilio`` are those channels' deliverers, ``None`` when not configured.
    """
    if settings.internal_api_token is None:
        yield
        return
    path = settings.notice_queue_db
    async with pipeline(app, settings, "notices", path, shared=True) as running:
        records = await running.open(OutreachRecords.open, path)
        inbox = await running.open(WebchatInbox.open, path)
        running.keep(INBOX_STATE, inbox)
        records_kept = settings.outreach_record_retention_days * DAY_SECONDS
        running.retain("records", lambda: records.purge(records_kept))
        inbox_kept = settings.webchat_inbox_retention_days * DAY_SECONDS
        running.retain("webchat inbox", lambda: inbox.purge(inbox_kept))
        channels: dict[str, NoticeChannel] = {"webchat": WebchatNotices(inbox, sockets)}
        if whatsapp is not None:
            channels["whatsapp"] = WhatsAppNotices(whatsapp)
        if twilio is not None:
            channels["twilio"] = TwilioNotices(twilio)
        processor = NoticeProcessor(rasa, channels, records)
        # Rasa down for hours must not lose a notice: the action server counts it delivered
        policy = WorkerPolicy(concurrency=settings.whatsapp_workers, max_attempts=60)
        running.run(
            processor.handle,
            policy,
            lambda worker: NoticeRuntime(running.queue, records, worker, frozenset(channels)),
        )
        yield
