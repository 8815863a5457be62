"""The background worker that drains a ``JobQueue``: many groups at once, each in order.

The queue only hands out the oldest job of a group nobody holds, so running up to
``concurrency`` claimed jobs side by side keeps every group's order. A job's lease is renewed
while it runs; a job whose handler raises ``RetryLater`` is tried again with back-off, up to
``max_attempts`` claims, and any other failure buries it so its group is not stuck behind it.
While a job runs, the correlation id of the request that queued it is the current one, and
``advance(job, n)`` records in its queue how far the handler got: a job whose process dies is
claimed again with that ``progress``, so what it had done (replies sent) is not done twice;
``remaining`` gives a handler the steps an earlier claim left and records each one it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from api.jobs.queue import Job, JobQueue, correlation_of
from api.observability import correlation_id

logger = logging.getLogger(__name__)

Handler = Callable[[Job], Awaitable[None]]
Step = TypeVar("Step")

#: the queue of the job running in this task, for ``advance``
_running_in: ContextVar[JobQueue | None] = ContextVar("running_in", default=None)


async def advance(job: Job, progress: int) -> None:
    """Record that the running ``job`` got as far as ``progress`` (see the module doc).

    Outside a worker (a job handled directly) there is no queue to tell, and nothing to redo.
    """
    queue = _running_in.get()
    if queue is not None:
        await queue.advance(job, progress)


def remaining(
    job: Job, steps: Sequence[Step]
) -> tuple[Sequence[Step], Callable[[int], Awaitable[None]]]:
    """The ``steps`` an earlier claim of ``job`` did not do, and ``did(n)`` to await once the
    first ``n`` of them are done: the job's progress then counts the earlier ones too.

    The steps must be the same each claim (a turn's replies, read back from Rasa).
    """
    done = job.progress

    async def did(count: int) -> None:
        await advance(job, done + count)

    return steps[done:], did


class RetryLater(Exception):
    """The job could not be done now (a collaborator is down) and should be tried again."""


@dataclass(frozen=True)
class WorkerPolicy:
    """How the worker paces itself."""

    concurrency: int = 8
    #: how long a job held by a gateway that died waits before another one takes it over;
    #: a live worker renews it every third of it, so a long turn keeps its job
    lease_seconds: float = 15.0
    #: how often an idle worker looks for work it was not woken for (retries, other processes)
    poll_seconds: float = 1.0
    max_attempts: int = 10
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 300.0
    #: dedup keys are kept this long: Meta redelivers for up to about 7 days
    key_ttl_seconds: float = 8 * 24 * 60 * 60
    prune_every_seconds: float = 60 * 60


class QueueWorker:
    """Runs ``handler`` over the queue's jobs until stopped."""

    def __init__(self, queue: JobQueue, handler: Handler, policy: WorkerPolicy) -> None:
        self._queue = queue
        self._handler = handler
        self._policy = policy
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._wakeup = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Start working in the background."""
        self._loop_task = asyncio.create_task(self._run(), name="queue-worker")

    def wake(self) -> None:
        """Look for work now rather than at the next poll (new jobs were queued)."""
        self._wakeup.set()

    async def stop(self) -> None:
        """Stop claiming; jobs still running are handed back to the queue unfinished."""
        self._stopping = True
        self._wakeup.set()
        task = self._loop_task
        # a client library may swallow a cancellation that lands inside one of its calls
        # (redis-py's timeouts can); the flag ends the loop anyway, at its next turn
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
        if task is not None and not task.cancelled() and task.exception() is not None:
            logger.error("The queue worker had failed", exc_info=task.exception())
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_prune = loop.time()
        while not self._stopping:
            if loop.time() >= next_prune:
                next_prune = loop.time() + self._policy.prune_every_seconds
                await self._prune()
            await self._slots.acquire()
            self._wakeup.clear()
            try:
                job = await self._queue.claim(self._policy.lease_seconds)
            except Exception:
                logger.exception("Claiming from the queue failed")
                job = None
            if job is None:
                self._slots.release()
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a
                # cancellation that arrives as the event is set, and the worker never stops
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._policy.poll_seconds):
                        await self._wakeup.wait()
                continue
            task = asyncio.create_task(self._process(job))
            self._running.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            # the queue itself failed (ack, retry or bury); the lease will hand the job back
            logger.error("Finishing a job failed", exc_info=task.exception())
        # a finished job may have unblocked the next one of its group
        self._wakeup.set()

    async def _prune(self) -> None:
        try:
            await self._queue.prune_keys(self._policy.key_ttl_seconds)
        except Exception:
            logger.exception("Pruning old dedup keys failed")

    async def _process(self, job: Job) -> None:
        # the job's own task, so the id stays with this job's log lines and calls to Rasa
        correlation_id.set(correlation_of(job))
        _running_in.set(self._queue)
        heartbeat = asyncio.create_task(self._keep_lease(job))
        try:
            await self._handler(job)
        except asyncio.CancelledError:
            # shutting down: hand the job back now rather than when its lease runs out
            await asyncio.shield(self._queue.retry(job, 0))
            raise
        except RetryLater as exc:
            await self._retry(job, exc)
        except Exception as exc:
            logger.exception("Job %s failed; buried", job.id)
            await self._queue.bury(job, type(exc).__name__)
        else:
            await self._queue.ack(job)
        finally:
            heartbeat.cancel()

    async def _retry(self, job: Job, exc: RetryLater) -> None:
        if job.attempts >= self._policy.max_attempts:
            logger.error("Job %s given up after %d attempts: %s", job.id, job.attempts, exc)
            await self._queue.bury(job, f"gave up after {job.attempts} attempts")
            return
        delay = min(
            self._policy.retry_max_seconds,
            self._policy.retry_base_seconds * 2 ** (job.attempts - 1),
        )
        logger.warning("Job %s will be tried again in %.1f s: %s", job.id, delay, exc)
        await self._queue.retry(job, delay)

    async def _keep_lease(self, job: Job) -> None:
        while True:
            await asyncio.sleep(self._policy.lease_seconds / 3)
            try:
                held = await self._queue.extend(job, self._policy.lease_seconds)
            except Exception:
                logger.exception("Renewing the lease of job %s failed", job.id)
                continue
            if not held:
                logger.warning("Job %s lost its lease while running", job.id)
                return
