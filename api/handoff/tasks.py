"""Stopping the relay's tasks for sure, whatever the libraries they await do with a cancellation.

The Redis client can turn a cancellation that lands in the middle of a call into an error of its
own: a loop that logs errors and goes on would then never stop. Such loops re-raise what they
catch while ``cancelling()``, and ``stop_tasks`` asks again while a cancellation goes unheeded.
"""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger(__name__)

_STOP_TRIES = 5
_STOP_WAIT_SECONDS = 1.0


def cancelling() -> bool:
    """Whether the running task is being cancelled (whatever error it caught meanwhile)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def stop_tasks(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel ``tasks`` and wait for them, asking again while a cancellation goes unheeded."""
    for _ in range(_STOP_TRIES):
        pending = [task for task in tasks if not task.done()]
        if not pending:
            return
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=_STOP_WAIT_SECONDS)
    logger.warning("%d live chat tasks did not stop", sum(not t.done() for t in tasks))
