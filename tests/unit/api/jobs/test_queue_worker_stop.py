"""The worker stops even when a queue client swallows the cancellation meant for it."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import JsonValue

from api.jobs.queue import Job
from api.jobs.worker import QueueWorker, WorkerPolicy


class SwallowingQueue:
    """A queue whose ``claim`` eats a cancellation, as some client libraries' timeouts do."""

    def __init__(self) -> None:
        self.claims = 0
        self.swallowed = 0

    async def claim(self, lease_seconds: float) -> Job | None:
        self.claims += 1
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            self.swallowed += 1
        return None

    async def enqueue(self, key: str, group: str, payload: dict[str, JsonValue]) -> bool:
        return True

    async def prune_keys(self, older_than_seconds: float) -> int:
        return 0


# a stop() that never returns would hang the event loop's teardown too
@pytest.mark.timeout(20)
async def test_stop_ends_the_worker_although_its_cancellation_was_swallowed() -> None:
    queue = SwallowingQueue()
    worker = QueueWorker(queue, lambda job: asyncio.sleep(0), WorkerPolicy(poll_seconds=0.01))  # type: ignore[arg-type]
    worker.start()
    while queue.claims == 0:
        await asyncio.sleep(0.01)

    await asyncio.wait_for(worker.stop(), timeout=5)

    assert queue.swallowed >= 1
    claims = queue.claims
    await asyncio.sleep(0.3)
    assert queue.claims == claims, "the worker went on claiming after stop()"
