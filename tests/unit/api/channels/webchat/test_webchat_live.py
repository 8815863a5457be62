"""Live notices: a failed push keeps the notice, and the Redis bus outlives Redis dropping it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from redis.asyncio import Redis

from api.channels.webchat.inbox import LiveSockets
from api.channels.webchat.live import LiveNotices, LocalBus, RedisBus
from api.jobs.redis_store import redis_client
from tests.support.services import RedisServer
from tests.unit.api.stores import Stores


class ClosedSocket:
    """A page's socket that closed under the gateway: every send fails."""

    async def send_json(self, data: Any) -> None:
        raise RuntimeError('Cannot call "send" once a close message has been sent.')


class OpenSocket:
    def __init__(self) -> None:
        self.frames: list[Any] = []

    async def send_json(self, data: Any) -> None:
        self.frames.append(data)


async def test_a_notice_whose_push_fails_waits_for_the_next_message(stores: Stores) -> None:
    sockets = LiveSockets()
    sockets.register("webchat:ann", ClosedSocket())  # type: ignore[arg-type]
    notices = LiveNotices(stores.inbox(), sockets, LocalBus())
    await notices.start()

    await notices.add("webchat:ann", [{"text": "Your case was filed."}])

    assert not sockets.holds("webchat:ann")
    assert await notices.take("webchat:ann") == [{"text": "Your case was filed."}]


async def test_a_notice_pushed_live_is_no_longer_waiting(stores: Stores) -> None:
    sockets, page = LiveSockets(), OpenSocket()
    sockets.register("webchat:ann", page)  # type: ignore[arg-type]
    notices = LiveNotices(stores.inbox(), sockets, LocalBus())
    await notices.start()

    await notices.add("webchat:ann", [{"text": "Your case was filed."}])

    assert page.frames == [
        {"id": None, "notice": True, "replies": [{"text": "Your case was filed."}]}
    ]
    assert await notices.take("webchat:ann") == []


async def heard_on(bus: RedisBus) -> list[tuple[str, str]]:
    heard: list[tuple[str, str]] = []

    async def hear(conversation_id: str, notice_id: str) -> None:
        heard.append((conversation_id, notice_id))

    await bus.start(hear)
    return heard


async def test_the_bus_hears_again_once_redis_dropped_its_subscription(
    shared_redis: RedisServer,
) -> None:
    channel = f"test:{{{uuid.uuid4().hex}}}:live"
    listener = RedisBus(redis_client(shared_redis.url()), channel)
    speaker = RedisBus(redis_client(shared_redis.url()), channel)
    heard = await heard_on(listener)
    try:
        await speaker.announce("webchat:ann", "1")
        await _until(lambda: heard == [("webchat:ann", "1")])

        shared_redis.cli("CLIENT", "KILL", "TYPE", "pubsub")
        for attempt in range(50):  # announced until heard: those made while away are missed
            await speaker.announce("webchat:ann", f"after-{attempt}")
            await asyncio.sleep(0.1)
            if len(heard) > 1:
                break
    finally:
        await listener.close()
        await speaker.close()

    assert heard[1][1].startswith("after-")


async def test_an_announcement_the_bus_cannot_read_is_ignored_and_the_next_heard(
    shared_redis: RedisServer,
) -> None:
    channel = f"test:{{{uuid.uuid4().hex}}}:live"
    listener = RedisBus(redis_client(shared_redis.url()), channel)
    raw: Redis = redis_client(shared_redis.url())
    heard = await heard_on(listener)
    try:
        for junk in ("not json", '{"conversation_id": 1}', "[]", '{"notice_id": "2"}'):
            await raw.publish(channel, junk)
        await raw.publish(channel, '{"conversation_id": "webchat:ann", "notice_id": "3"}')
        await _until(lambda: len(heard) == 1)
    finally:
        await listener.close()
        await raw.aclose()

    assert heard == [("webchat:ann", "3")]


async def _until(check: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "not heard in time"
        await asyncio.sleep(0.02)
