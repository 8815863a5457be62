"""What the running Twilio channel shares between its webhook and its background worker."""

from __future__ import annotations

from dataclasses import dataclass

from api.queue import JobQueue
from api.queue_worker import QueueWorker
from api.twilio_store import TwilioStore


@dataclass(frozen=True)
class TwilioRuntime:
    """The channel's queue, records and worker, kept in ``app.state.twilio`` while it runs."""

    queue: JobQueue
    store: TwilioStore
    worker: QueueWorker
