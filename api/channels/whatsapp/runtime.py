"""What the running WhatsApp channel shares between its webhook and its background worker."""

from __future__ import annotations

from dataclasses import dataclass

from api.channels.whatsapp.store import WhatsAppRecords
from api.jobs.queue import JobQueue
from api.jobs.worker import QueueWorker


@dataclass(frozen=True)
class WhatsAppRuntime:
    """The channel's queue, records and worker, kept in ``app.state.whatsapp`` while it runs."""

    queue: JobQueue
    store: WhatsAppRecords
    worker: QueueWorker
