"""What the running notices endpoint shares with its worker and the webchat routes."""

from __future__ import annotations

from dataclasses import dataclass

from api.ivr_records import OutreachRecords
from api.queue import JobQueue
from api.queue_worker import QueueWorker
from api.webchat_inbox import WebchatInbox


@dataclass(frozen=True)
class NoticeRuntime:
    """Kept in ``app.state.notices`` while notices are enabled."""

    queue: JobQueue
    records: OutreachRecords
    worker: QueueWorker
    inbox: WebchatInbox
    #: the channels notices can be delivered on: webchat always, whatsapp and twilio when set up
    channels: frozenset[str]
