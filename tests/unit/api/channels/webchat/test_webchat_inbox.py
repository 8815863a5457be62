"""The webchat inbox hands each conversation its waiting replies once, oldest first."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from api.channels.webchat.inbox import WebchatInbox
from api.jobs.store import connect


async def test_take_returns_waiting_replies_in_order_once(tmp_path: Path) -> None:
    inbox = WebchatInbox.open(tmp_path / "notices.sqlite3")
    try:
        await inbox.add("webchat:ann", [{"text": "Case 10000001 is filed."}])
        await inbox.add("webchat:bob", [{"text": "for Bob"}])
        await inbox.add("webchat:ann", [{"text": "second"}, {"text": "third"}])

        first = await inbox.take("webchat:ann")
        again = await inbox.take("webchat:ann")
        bobs = await inbox.take("webchat:bob")
    finally:
        await inbox.close()

    assert [reply["text"] for reply in first] == ["Case 10000001 is filed.", "second", "third"]
    assert again == []
    assert bobs == [{"text": "for Bob"}]


async def test_take_with_nothing_waiting_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "notices.sqlite3"
    inbox = WebchatInbox.open(path)
    await inbox.add("webchat:ann", [{"text": "waiting"}])
    writer = connect(path)  # another process writing to the same file, say a queue
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        nothing = await asyncio.wait_for(inbox.take("webchat:nobody"), timeout=5)
        waited = time.monotonic() - started
        held_up = asyncio.create_task(inbox.take("webchat:ann"))
        await asyncio.sleep(0.3)
        blocked = not held_up.done()
    finally:
        writer.execute("COMMIT")
        writer.close()
    taken = await held_up
    await inbox.close()

    assert nothing == []
    assert waited < 1.0
    # a conversation with replies waiting still takes them under the write lock
    assert blocked is True
    assert taken == [{"text": "waiting"}]
