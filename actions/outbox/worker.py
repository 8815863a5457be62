"""Sends the outbox's submissions to the back end until they are filed, and has users told.

Each due submission is created with its own idempotency key; a back end that is still down or
throttling gets it again later, waiting twice as long each time (with jitter, at most
``max_delay``). A submission the back end refuses for good is kept as rejected for a person
to look at. Whoever is told (the user, through ``Notifier``) is told once; a notice that could
not be delivered is tried again on the next pass. The outbox's calls block (a file, a database
server), so each runs in a thread and the action server's event loop keeps answering Rasa.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from typing import Protocol

from actions.kit.metrics import CASES_FILED_FROM_OUTBOX
from actions.outbox.store import Outbox, Submission
from cases.backend import BackendError, CaseBackend, CaseDraft

logger = logging.getLogger(__name__)


class Notifier(Protocol):
    """Tells the user of a queued case how it ended."""

    async def case_filed(self, draft: CaseDraft, case_ref: str, notice_id: str) -> bool:
        """Tell them its reference; whether the notice was handed over.

        ``notice_id`` is the same each time this submission's notice is tried again."""
        ...

    async def case_rejected(self, draft: CaseDraft, notice_id: str) -> bool:
        """Tell them it could not be filed; whether the notice was handed over."""
        ...


class OutboxWorker:
    """One pass (``run_once``) or a loop (``run_forever``) over the outbox."""

    def __init__(
        self,
        outbox: Outbox,
        backend: Callable[[], CaseBackend],
        notifier: Notifier,
        *,
        batch: int = 20,
        lease_seconds: float = 120.0,
        base_delay: float = 2.0,
        max_delay: float = 300.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._outbox = outbox
        self._backend = backend
        self._notifier = notifier
        self._batch = batch
        self._lease_seconds = lease_seconds
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._jitter = jitter

    async def run_once(self) -> int:
        """Send what is due and deliver pending notices; how many submissions were sent."""
        due = await asyncio.to_thread(self._outbox.take_due, self._batch, self._lease_seconds)
        for submission in due:
            await self._send(submission)
        for finished in await asyncio.to_thread(self._outbox.unnotified, self._batch):
            await self._notify(finished)
        return len(due)

    async def run_forever(self, interval: float = 1.0) -> None:
        """Pass over the outbox every ``interval`` seconds (at once again after a busy pass)."""
        while True:
            try:
                sent = await self.run_once()
            except Exception:
                # the loop must outlive any one failure: a bad row, a locked file, a bug
                logger.exception("outbox pass failed")
                sent = 0
            if sent < self._batch:
                await asyncio.sleep(interval)

    async def _send(self, submission: Submission) -> None:
        try:
            case = await self._backend().create_case(submission.draft, submission.key)
        except BackendError as exc:
            if exc.retryable:
                delay = self._delay(submission.attempts)
                logger.warning(
                    "queued case %s not filed yet (%s); next try in %.0f s",
                    submission.key[:12],
                    type(exc).__name__,
                    delay,
                )
                await asyncio.to_thread(
                    self._outbox.retry_later, submission.key, delay, f"{type(exc).__name__}: {exc}"
                )
            else:
                logger.error("queued case %s refused by the back end: %s", submission.key[:12], exc)
                await asyncio.to_thread(
                    self._outbox.rejected, submission.key, f"{type(exc).__name__}: {exc}"
                )
            return
        logger.info("queued case %s filed as %s", submission.key[:12], case.case_id)
        await asyncio.to_thread(self._outbox.filed, submission.key, case.ref)
        CASES_FILED_FROM_OUTBOX.inc()

    async def _notify(self, submission: Submission) -> None:
        try:
            if submission.state == "filed" and submission.case_ref:
                done = await self._notifier.case_filed(
                    submission.draft, submission.case_ref, submission.key
                )
            else:
                done = await self._notifier.case_rejected(submission.draft, submission.key)
        except Exception:
            logger.exception("notice for queued case %s failed", submission.key[:12])
            return
        if done:
            await asyncio.to_thread(self._outbox.notified, submission.key)

    def _delay(self, attempts: int) -> float:
        ceiling = min(self._max_delay, self._base_delay * 2.0 ** min(attempts, 30))
        return ceiling / 2 + ceiling / 2 * self._jitter()
