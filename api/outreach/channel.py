"""Starting and stopping IVR handoffs and case notices with the app: queue, records, worker.

Both write to customers on WhatsApp, so they run only beside the WhatsApp channel, through
the deliverer the app builds once over the channel's Graph client and records. The queue and
records live in the Redis every gateway shares when ``GATEWAY_QUEUE_URL`` is set, else in
``PROACTIVE_QUEUE_DB``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.channels.whatsapp.channel import WhatsApp
from api.channels.whatsapp.delivery import template
from api.jobs.pipeline import pipeline
from api.jobs.worker import WorkerPolicy
from api.outbound import Backoff
from api.outreach.delivery import NoticeDeliverer, Outreach
from api.outreach.processor import OutreachProcessor
from api.outreach.records import OutreachRecords, Records
from api.outreach.redis_records import RedisOutreachRecords, records_prefix
from api.outreach.runtime import OutreachRuntime, Waiters
from api.rasa import RasaClient
from api.settings import GatewaySettings
from common.retention import DAY_SECONDS


def build_notice_deliverer(settings: GatewaySettings, whatsapp: WhatsApp) -> NoticeDeliverer:
    """The deliverer of messages the assistant writes first on WhatsApp."""
    language = settings.whatsapp_template_language
    return NoticeDeliverer(
        whatsapp.graph,
        whatsapp.store,
        template(settings.whatsapp_template_name, language),
        Backoff.from_settings(settings),
        notice=template(settings.whatsapp_notice_template_name, language),
        code=template(
            settings.whatsapp_code_template_name,
            settings.whatsapp_code_template_language or language,
        ),
    )


@asynccontextmanager
async def outreach_channel(
    app: FastAPI, settings: GatewaySettings, rasa: RasaClient, deliverer: NoticeDeliverer | None
) -> AsyncIterator[None]:
    """Run handoffs and notices for the app's lifetime; nothing when neither is configured
    or WhatsApp (``deliverer``) is not."""
    enabled = settings.ivr_shared_secret is not None or settings.case_events_api_key is not None
    if not enabled or deliverer is None:
        yield
        return
    path = settings.proactive_queue_db
    kept = settings.outreach_record_retention_days * DAY_SECONDS

    def shared(url: str) -> Records:
        return RedisOutreachRecords.from_url(
            url, prefix=records_prefix("outreach"), keep_seconds=kept
        )

    async with pipeline(app, settings, "outreach", path) as running:
        records = await running.open(OutreachRecords.open, path, shared)
        running.retain("records", lambda: records.purge(kept))
        waiters = Waiters()
        processor = OutreachProcessor(Outreach(rasa, deliverer), records, waiters)
        running.run(
            processor.handle,
            WorkerPolicy(concurrency=settings.whatsapp_workers),
            lambda worker: OutreachRuntime(running.queue, records, worker, waiters),
        )
        yield
