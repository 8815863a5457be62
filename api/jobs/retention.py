"""The gateway's housekeeping: every so often, what its retention settings no longer keep goes.

Each part that keeps something registers how to purge it (``Housekeeper.add``): every queue
its buried jobs, the channels their delivery records, outreach its records, notices the
webchat inbox, the app the users' media. One task runs them all every
``RETENTION_PURGE_EVERY_SECONDS``, once at start; a purge that fails is logged and tried again
next time, and never stops the others. The app keeps it in ``app.state.housekeeper``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from starlette.datastructures import State

logger = logging.getLogger(__name__)

Purge = Callable[[], Awaitable[int]]
#: where the app keeps its housekeeper
HOUSEKEEPER_STATE = "housekeeper"


def housekeeper_of(state: State) -> Housekeeper | None:
    """The app's housekeeper; ``None`` where none runs (a bare test app)."""
    found: Housekeeper | None = getattr(state, HOUSEKEEPER_STATE, None)
    return found


class Housekeeper:
    """Runs every registered purge now and then, in the background."""

    def __init__(self, every_seconds: float) -> None:
        self._every = every_seconds
        self._purges: dict[str, Purge] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, name: str, purge: Purge) -> None:
        """Run ``purge`` with the others from now on, under ``name`` in the log."""
        self._purges[name] = purge

    @property
    def names(self) -> list[str]:
        """The purges it runs, by name."""
        return sorted(self._purges)

    def remove(self, name: str) -> None:
        """Stop running the purge ``name`` (its store is closing)."""
        self._purges.pop(name, None)

    async def purge_once(self) -> dict[str, int]:
        """Run every purge once; how many entries each removed (failed ones left out)."""
        removed: dict[str, int] = {}
        for name, purge in list(self._purges.items()):
            try:
                removed[name] = await purge()
            except Exception:
                logger.exception("Retention purge of %s failed; tried again later", name)
        if any(removed.values()):
            logger.info("Retention purge removed %s", removed)
        return removed

    def start(self) -> None:
        """Purge now and every ``every_seconds`` after, until ``stop``."""
        self._task = asyncio.create_task(self._run(), name="retention")

    async def stop(self) -> None:
        """Stop purging."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self.purge_once()
            await asyncio.sleep(self._every)
