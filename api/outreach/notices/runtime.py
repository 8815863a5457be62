"""What the running notices endpoint shares with its worker."""

from __future__ import annotations

from dataclasses import dataclass

from api.jobs.queue import JobQueue
from api.jobs.worker import QueueWorker
from api.outreach.notices.delivery import WhatsAppCodes
from api.outreach.records import Records


@dataclass(frozen=True)
class NoticeRuntime:
    """Kept in ``app.state.notices`` while notices are enabled."""

    queue: JobQueue
    records: Records
    worker: QueueWorker
    #: the channels notices can be delivered on: webchat always, whatsapp and twilio when set up
    channels: frozenset[str]
    #: sends one-time codes on WhatsApp; ``None`` when WhatsApp is not set up
    codes: WhatsAppCodes | None = None
