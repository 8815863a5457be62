"""Wakes the sockets waiting in the event loop when the store writes an item, from any thread.

Writes happen in worker threads; sockets wait in the event loop. A socket registers before it
reads the database, so an item written between its read and its wait still wakes it. Polling
stays underneath (``socket.POLL_SECONDS``) for writers this process does not see.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType


class Wakeup:
    """The writers' side: ``notify`` after a write; the sockets' side: ``waiter()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[Waiter] = set()

    def notify(self) -> None:
        """Wake every registered waiter (safe from any thread)."""
        with self._lock:
            waiting = list(self._waiting)
        for waiter in waiting:
            waiter.wake()

    def waiter(self) -> Waiter:
        """Register a waiter of the running event loop; use it as a context manager."""
        waiter = Waiter(self)
        with self._lock:
            self._waiting.add(waiter)
        return waiter

    def _forget(self, waiter: Waiter) -> None:
        with self._lock:
            self._waiting.discard(waiter)


class Waiter:
    """One socket's registration: woken by the next write after it was made."""

    def __init__(self, wakeup: Wakeup) -> None:
        self._wakeup = wakeup
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def wake(self) -> None:
        """Set the event in its own loop."""
        try:
            self._loop.call_soon_threadsafe(self._event.set)
        except RuntimeError:
            # the loop has closed: nobody waits any more
            self._wakeup._forget(self)

    async def wait(self, timeout: float) -> None:
        """Return at the next write, or after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return

    def __enter__(self) -> Waiter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._wakeup._forget(self)
