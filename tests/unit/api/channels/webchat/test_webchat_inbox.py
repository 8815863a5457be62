"""The webchat inbox hands each conversation its waiting replies once, oldest first.

The tests taking ``stores`` run against the SQLite inbox and the Redis one.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from api.channels.webchat.inbox import WebchatInbox
from api.jobs.store import connect
from tests.unit.api.stores import Stores


async def test_take_returns_waiting_replies_in_order_once(stores: Stores) -> None:
    inbox = stores.inbox()
    await inbox.add("webchat:ann", [{"text": "Case 10000001 is filed."}])
    await inbox.add("webchat:bob", [{"text": "for Bob"}])
    await inbox.add("webchat:ann", [{"text": "second"}, {"text": "third"}])

    first = await inbox.take("webchat:ann")
    again = await inbox.take("webchat:ann")
    bobs = await inbox.take("webchat:bob")

    assert [reply["text"] for reply in first] == ["Case 10000001 is filed.", "second", "third"]
    assert again == []
    assert bobs == [{"text": "for Bob"}]


async def test_one_notice_is_taken_by_its_id_once_and_only_in_its_conversation(
    stores: Stores,
) -> None:
    inbox = stores.inbox()
    first = await inbox.add("webchat:ann", [{"text": "one"}])
    second = await inbox.add("webchat:ann", [{"text": "two"}])

    elsewhere = await inbox.take_notice("webchat:bob", first)
    taken = await inbox.take_notice("webchat:ann", first)
    again = await inbox.take_notice("webchat:ann", first)
    rest = await inbox.take("webchat:ann")

    assert first != second
    assert elsewhere is None
    assert taken == [{"text": "one"}]
    assert again is None
    assert rest == [{"text": "two"}]


async def test_a_notice_taken_by_id_and_by_the_next_message_at_once_is_shown_once(
    stores: Stores,
) -> None:
    # two gateways: one pushing the notice live, the other answering the page's next message
    for round_ in range(20):
        pusher, answerer = stores.inbox(), stores.inbox()
        conversation = f"webchat:ann-{round_}"
        notice = await pusher.add(conversation, [{"text": f"filed {round_}"}])

        pushed, answered = await asyncio.gather(
            pusher.take_notice(conversation, notice), answerer.take(conversation)
        )

        shown = (pushed or []) + answered
        assert shown == [{"text": f"filed {round_}"}]


async def test_an_id_that_is_not_the_stores_own_takes_nothing(stores: Stores) -> None:
    inbox = stores.inbox()
    await inbox.add("webchat:ann", [{"text": "one"}])

    assert await inbox.take_notice("webchat:ann", "1 OR 1=1") is None
    assert await inbox.take_notice("webchat:ann", "*") is None
    assert await inbox.take("webchat:ann") == [{"text": "one"}]


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
