"""What the running WhatsApp channel shares between its webhook and its background worker."""

from __future__ import annotations

from dataclasses import dataclass

from api.queue import JobQueue
from api.queue_worker import QueueWorker
from api.whatsapp_store import WhatsAppStore


@dataclass(frozen=True)
class WhatsAppRuntime:
    """The channel's queue, records and worker, kept in ``app.state.whatsapp`` while it runs."""

    queue: JobQueue
    store: WhatsAppStore
    worker: QueueWorker
