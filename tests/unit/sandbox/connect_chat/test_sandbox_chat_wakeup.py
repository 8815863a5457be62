"""A write in a worker thread wakes the sockets waiting in the event loop."""

from __future__ import annotations

import threading
import time

from sandbox.connect_chat.wakeup import Wakeup


async def test_a_write_in_another_thread_wakes_a_waiting_socket_at_once() -> None:
    wakeup = Wakeup()
    with wakeup.waiter() as waiter:
        threading.Timer(0.05, wakeup.notify).start()
        started = time.monotonic()
        await waiter.wait(10)

    assert time.monotonic() - started < 5


async def test_a_write_between_registering_and_waiting_is_not_missed() -> None:
    wakeup = Wakeup()
    with wakeup.waiter() as waiter:
        # the socket has read the database and found nothing; the write lands now
        writer = threading.Thread(target=wakeup.notify)
        writer.start()
        writer.join()
        started = time.monotonic()
        await waiter.wait(10)

    assert time.monotonic() - started < 5


async def test_a_finished_waiter_is_no_longer_woken() -> None:
    wakeup = Wakeup()
    with wakeup.waiter() as waiter:
        pass

    wakeup.notify()
    started = time.monotonic()
    await waiter.wait(0.2)

    assert time.monotonic() - started >= 0.2
