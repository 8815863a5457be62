"""What the running IVR handoff and case notices share between their webhooks and worker.

A request waiting for its job learns the outcome from this process's worker at once, and from
the records otherwise: with the queue shared in Redis, another gateway's worker may run the job.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from api.jobs.queue import JobQueue
from api.jobs.worker import QueueWorker
from api.outreach.records import Record, Records

#: how often a request waiting for a job another gateway may run reads the job's record
POLL_SECONDS = 0.2


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

    async def outcome(
        self, key: str, future: asyncio.Future[Record], records: Records, timeout: float
    ) -> Record | None:
        """The record of the job ``key`` once it finished, here (``future``) or on any gateway
        (its record no longer ``accepted``); ``None`` if it has not within ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            try:
                return await asyncio.wait_for(asyncio.shield(future), min(left, POLL_SECONDS))
            except TimeoutError:
                pass
            record = await records.get(key)
            if record is not None and record.status != "accepted":
                return record
        return None

    def forget(self, key: str) -> None:
        """Nobody waits for ``key`` any more."""
        future = self.futures.pop(key, None)
        if future is not None and not future.done():
            future.cancel()


@dataclass(frozen=True)
class OutreachRuntime:
    """The queue, records, waiters and worker, kept in ``app.state.outreach`` while running."""

    queue: JobQueue
    records: Records
    worker: QueueWorker
    waiters: Waiters
