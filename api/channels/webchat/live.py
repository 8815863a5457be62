"""Live notices: a notice kept on any gateway reaches the page's socket on whichever holds it.

``LiveNotices`` is the inbox the app hands out (``app.state.webchat_inbox``): adding a notice
keeps it in the inbox and announces it on the notice bus. Every gateway hears every
announcement; one holding a socket of that conversation takes that notice out of the inbox and
pushes it on the socket. Taking is atomic, so a notice is shown once, whether it is pushed, or
comes with the answer to the page's next message, whichever happens first. A push that fails
(the socket closed meanwhile) puts the notice back and announces it again, for a socket the
page may have open on another gateway; one that is never heard (a gateway down, Redis away)
leaves the notice in the inbox for the next message.

The bus is Redis pub/sub on ``casebot:{webchat-inbox}:live`` when ``GATEWAY_QUEUE_URL`` is set
(``RedisBus``: one channel, each message ``{"conversation_id", "notice_id"}``), else this
process alone (``LocalBus``). A gateway that crashes between taking a notice and pushing it
loses that notice; its socket dies with it, so the page could not have been shown it anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.channels.webchat.inbox import Inbox, LiveSockets, Reply
from api.channels.webchat.redis_inbox import PREFIX
from common.erasure import Person

logger = logging.getLogger(__name__)

Heard = Callable[[str, str], Awaitable[None]]
#: the pub/sub channel every gateway announces notices on
CHANNEL = f"{PREFIX}live"
#: pause before subscribing again after Redis went away
RESUBSCRIBE_SECONDS = 1.0
#: how long ``get_message`` waits for an announcement before it looks again
LISTEN_SECONDS = 5.0


class NoticeBus(Protocol):
    """Announces kept notices to every gateway (``start`` says who hears them here)."""

    async def start(self, heard: Heard) -> None:
        """From now on, ``heard(conversation_id, notice_id)`` for each announcement."""
        ...

    async def announce(self, conversation_id: str, notice_id: str) -> None:
        """Tell every gateway that ``notice_id`` waits for ``conversation_id``."""
        ...

    async def close(self) -> None:
        """Stop hearing announcements."""
        ...


class LocalBus:
    """A bus of one process: an announcement is heard at once, here."""

    def __init__(self) -> None:
        self._heard: Heard | None = None

    async def start(self, heard: Heard) -> None:
        """From now on, ``heard`` for each announcement."""
        self._heard = heard

    async def announce(self, conversation_id: str, notice_id: str) -> None:
        """Hear it here."""
        if self._heard is not None:
            await self._heard(conversation_id, notice_id)

    async def close(self) -> None:
        """Hear nothing more."""
        self._heard = None


class RedisBus:
    """Redis pub/sub on ``channel``: every subscribed gateway hears every announcement."""

    def __init__(self, client: Redis, channel: str = CHANNEL) -> None:
        self._redis = client
        self._channel = channel
        self._task: asyncio.Task[None] | None = None
        self._tried = asyncio.Event()

    async def start(self, heard: Heard) -> None:
        """Subscribe, waiting for the first attempt (so what is announced next is heard)."""
        self._task = asyncio.create_task(self._listen(heard), name="webchat live notices")
        await self._tried.wait()

    async def announce(self, conversation_id: str, notice_id: str) -> None:
        """Publish the announcement."""
        message = {"conversation_id": conversation_id, "notice_id": notice_id}
        await self._redis.publish(self._channel, json.dumps(message))

    async def close(self) -> None:
        """Unsubscribe and close the connections."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._redis.aclose()

    async def _listen(self, heard: Heard) -> None:
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._tried.set()
                    while True:
                        message = await pubsub.get_message(timeout=LISTEN_SECONDS)
                        if message is not None and message.get("type") == "message":
                            await _hear(heard, message.get("data"))
            except (RedisError, OSError) as exc:
                # announcements missed meanwhile wait in the inbox for the next message
                logger.warning("Webchat live notices not heard, Redis did not answer: %s", exc)
                self._tried.set()
                await asyncio.sleep(RESUBSCRIBE_SECONDS)


async def _hear(heard: Heard, data: object) -> None:
    try:
        message = json.loads(data.decode() if isinstance(data, bytes) else str(data))
        conversation_id, notice_id = message["conversation_id"], message["notice_id"]
    except (ValueError, TypeError, KeyError):
        logger.warning("Webchat live notice announcement not understood; ignored")
        return
    if isinstance(conversation_id, str) and isinstance(notice_id, str):
        try:
            await heard(conversation_id, notice_id)
        except Exception:
            # one notice that cannot be pushed must not stop every later one
            logger.exception("Webchat live notice not pushed; it waits for the next message")


class LiveNotices:
    """An ``Inbox`` whose notices are pushed live to a socket on any gateway, once."""

    def __init__(self, inbox: Inbox, sockets: LiveSockets, bus: NoticeBus) -> None:
        self._inbox = inbox
        self._sockets = sockets
        self._bus = bus

    async def start(self) -> None:
        """Hear the bus's announcements from now on."""
        await self._bus.start(self.heard)

    async def add(self, conversation_id: str, replies: list[Reply]) -> str:
        """Keep ``replies`` until they are shown, and announce them to every gateway."""
        notice_id = await self._inbox.add(conversation_id, replies)
        try:
            await self._bus.announce(conversation_id, notice_id)
        except (RedisError, OSError) as exc:
            logger.warning("Webchat notice not announced; it waits for the next message: %s", exc)
        return notice_id

    async def heard(self, conversation_id: str, notice_id: str) -> None:
        """A notice was announced: push it if a socket here carries its conversation."""
        if not self._sockets.holds(conversation_id):
            return
        replies = await self._inbox.take_notice(conversation_id, notice_id)
        if replies is None:
            return  # shown already, with an answer or by another gateway
        if not await self._sockets.push(conversation_id, replies):
            # the socket closed under us (and is forgotten): back for another socket, or later
            await self.add(conversation_id, replies)

    async def take(self, conversation_id: str) -> list[Reply]:
        """The conversation's waiting replies, oldest first, removed from the inbox."""
        return await self._inbox.take(conversation_id)

    async def take_notice(self, conversation_id: str, notice_id: str) -> list[Reply] | None:
        """The replies of one notice, removed; ``None`` when it was shown already."""
        return await self._inbox.take_notice(conversation_id, notice_id)

    async def purge(self, older_than_seconds: float) -> int:
        """Forget notices waiting longer than that; how many went."""
        return await self._inbox.purge(older_than_seconds)

    async def erase(self, person: Person) -> int:
        """Forget the person's notices; how many went."""
        return await self._inbox.erase(person)

    async def close(self) -> None:
        """Stop hearing announcements and close the inbox."""
        await self._bus.close()
        await self._inbox.close()
