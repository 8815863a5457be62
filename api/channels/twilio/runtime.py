"""What the running Twilio channel shares between its webhook and its background worker."""

from __future__ import annotations

from dataclasses import dataclass

from api.channels.twilio.store import TwilioRecords
from api.jobs.queue import JobQueue
from api.jobs.worker import QueueWorker


@dataclass(frozen=True)
class TwilioRuntime:
    """The channel's queue, records and worker, kept in ``app.state.twilio`` while it runs."""

    queue: JobQueue
    store: TwilioRecords
    worker: QueueWorker
