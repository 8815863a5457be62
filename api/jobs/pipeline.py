"""The lifespan every queue-fed part of the gateway shares: queue opened, worker run, all closed.

A channel (or outreach, or notices) says only what is its own: its name, the SQLite file of
its queue and records, what else it opens beside the queue, its handler and worker policy, and
the runtime its webhook reads from ``app.state.<name>``. With ``GATEWAY_QUEUE_URL`` set, the
queue and every store live in that Redis, shared by every gateway; else in the SQLite file
(``open_queue``, ``open_store``). ``pipeline`` opens the queue (whose buried jobs the app's
housekeeper purges); ``Pipeline.open`` opens a store; ``Pipeline.retain`` has the housekeeper
purge a store too; ``Pipeline.run`` puts the runtime on ``app.state`` and starts the worker.
Leaving the block stops the worker first, then removes the runtime, then closes what was
opened, last opened first.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Protocol, TypeVar

from fastapi import FastAPI

from api.jobs.queue import JobQueue
from api.jobs.redis import RedisQueue, queue_prefix
from api.jobs.retention import Purge, housekeeper_of
from api.jobs.sqlite import SqliteQueue
from api.jobs.worker import Handler, QueueWorker, WorkerPolicy
from api.settings import GatewaySettings
from common.retention import DAY_SECONDS


class Closeable(Protocol):
    """A store the pipeline closes when it stops."""

    async def close(self) -> None:
        """Release the store's resources."""
        ...


C = TypeVar("C", bound=Closeable)


async def open_queue(settings: GatewaySettings, path: Path, name: str) -> JobQueue:
    """The queue ``name``: in Redis, shared by every gateway, when ``GATEWAY_QUEUE_URL`` is
    set; else in the SQLite file ``path``."""
    if settings.gateway_queue_url is not None:
        url = settings.gateway_queue_url.get_secret_value()
        return RedisQueue.from_url(url, prefix=queue_prefix(name))
    return await asyncio.to_thread(SqliteQueue.open, path)


async def open_store(
    settings: GatewaySettings,
    sqlite: Callable[[Path], C],
    path: Path,
    redis: Callable[[str], C],
) -> C:
    """A store: ``redis(url)`` in the Redis every gateway shares when ``GATEWAY_QUEUE_URL`` is
    set, else ``sqlite(path)`` opened in a worker thread (it may wait on a lock)."""
    if settings.gateway_queue_url is not None:
        return redis(settings.gateway_queue_url.get_secret_value())
    return await asyncio.to_thread(sqlite, path)


class Pipeline:
    """One queue being set up with its worker; everything it opened is closed with it."""

    def __init__(
        self,
        app: FastAPI,
        settings: GatewaySettings,
        name: str,
        queue: JobQueue,
        stack: AsyncExitStack,
    ) -> None:
        self._app = app
        self._settings = settings
        self._name = name
        self.queue = queue
        self._stack = stack

    async def open(self, sqlite: Callable[[Path], C], path: Path, redis: Callable[[str], C]) -> C:
        """Open a store (see ``open_store``), closed at the end."""
        store = await open_store(self._settings, sqlite, path, redis)
        self._stack.push_async_callback(store.close)
        return store

    def retain(self, what: str, purge: Purge) -> None:
        """Have the app's housekeeper run ``purge`` while the pipeline runs."""
        housekeeper = housekeeper_of(self._app.state)
        if housekeeper is None:
            return
        name = f"{self._name} {what}"
        housekeeper.add(name, purge)
        self._stack.callback(housekeeper.remove, name)

    def keep(self, name: str, value: object) -> None:
        """Keep ``value`` in ``app.state.<name>`` while the pipeline runs."""
        setattr(self._app.state, name, value)
        self._stack.callback(delattr, self._app.state, name)

    def run(
        self, handler: Handler, policy: WorkerPolicy, runtime: Callable[[QueueWorker], object]
    ) -> QueueWorker:
        """Keep ``runtime(worker)`` in ``app.state.<name>`` and start draining the queue."""
        worker = QueueWorker(self.queue, handler, policy)
        self.keep(self._name, runtime(worker))
        worker.start()
        self._stack.push_async_callback(worker.stop)
        return worker


@asynccontextmanager
async def pipeline(
    app: FastAPI, settings: GatewaySettings, name: str, path: Path
) -> AsyncIterator[Pipeline]:
    """Open the queue ``name`` (see ``open_queue``) for a block that sets up and runs its worker."""
    async with AsyncExitStack() as stack:
        queue = await open_queue(settings, path, name)
        stack.push_async_callback(queue.close)
        running = Pipeline(app, settings, name, queue, stack)
        kept = settings.buried_job_retention_days * DAY_SECONDS
        running.retain("buried jobs", lambda: queue.purge_buried(kept))
        yield running
