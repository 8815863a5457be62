"""What the running IVR handoff and case notices share between their webhooks and worker."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from api.jobs.queue import JobQueue
from api.jobs.worker import QueueWorker
from api.outreach.records import OutreachRecords, Record


@dataclass
class Waiters:
    """Requests waiting, in this process, for the job queued under a key to finish."""

    futures: dict[str, asyncio.Future[Record]] = field(default_factory=dict)

    def expect(self, key: str) -> asyncio.Future[Record]:
        """A future that the job ``key`` finishing resolves."""
        future = self.futures.get(key)
        if future is None or future.done():
            future = asyncio.get_running_loop().create_future()
            self.futures[key] = future
        return future

    def settle(self, key: str, record: Record) -> None:
        """The job ``key`` finished as ``record``."""
        future = self.futures.pop(key, None)
        if future is not None and not future.done():
            future.set_result(record)

    def forget(self, key: str) -> None:
        """Nobody waits for ``key`` any more."""
        future = self.futures.pop(key, None)
        if future is not None and not future.done():
            future.cancel()


@dataclass(frozen=True)
class OutreachRuntime:
    """The queue, records, waiters and worker, kept in ``app.state.outreach`` while running."""

    queue: JobQueue
    records: OutreachRecords
    worker: QueueWorker
    waiters: Waiters
