"""One live chat's feed to the customer: its websocket and transcript, relayed while held.

``ChatFeed.run`` opens a new participant connection, subscribes, then reads the transcript
after the last item relayed: an item is relayed once whichever of the two brings it, and what
was written while no socket was open (a restart, another gateway taking the chat over) is not
lost. It reconnects after failures with growing pauses, and stops when the chat ends or when
this gateway no longer holds the chat's lease (``holds``): before each item reaches the
customer, so a gateway whose lease ran out never relays beside the one that took the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from api.handoff.items import (
    ENDED_EVENT,
    JOINED_EVENT,
    PASSING,
    SUBSCRIBE,
    TYPING_EVENT,
    item_of,
    told,
)
from api.handoff.participant import ChatGone, ChatItem, ParticipantClient, ParticipantError
from api.handoff.store import LiveChat, RelayRecords
from api.handoff.tasks import cancelling
from api.metrics import LIVE_CHAT_RELAY_SECONDS
from api.rasa import BotMessage

logger = logging.getLogger(__name__)

#: delivers the bot's messages to the chat's customer on their channel; whether they went out
Deliver = Callable[[LiveChat, list[BotMessage]], Awaitable[bool]]
#: shows the chat's customer that the agent is typing, on channels that can
Typing = Callable[[LiveChat], Awaitable[None]]
#: the chat is over: forget it, resume the assistant, tell the customer (once)
Finish = Callable[[LiveChat], Awaitable[None]]


class LeaseLost(Exception):
    """This gateway's lease of the chat ran out: another gateway may relay it now."""


class ChatFeed:
    """Relays one chat to its customer for as long as it lasts and this gateway holds it."""

    def __init__(
        self,
        chat: LiveChat,
        store: RelayRecords,
        participant: ParticipantClient,
        deliver: Deliver,
        finish: Finish,
        holds: Callable[[], bool],
        retry_seconds: tuple[float, ...],
        typing: Typing | None = None,
    ) -> None:
        self._chat = chat
        self._store = store
        self._participant = participant
        self._deliver = deliver
        self._finish = finish
        self._holds = holds
        self._retry_seconds = retry_seconds
        self._typing = typing
        self._seen: set[str] = set()

    async def run(self, websocket_url: str | None) -> None:
        """Relay until the chat ends or the lease is lost; ``websocket_url`` of a connection
        made just now, if any."""
        chat = self._chat
        failures = 0
        while True:
            try:
                if websocket_url is None:
                    connection = await self._participant.connect(chat.participant_token)
                    websocket_url = connection.websocket_url
                if await self._relay(websocket_url):
                    return
            except LeaseLost:
                logger.info("live chat %s: relayed by another gateway now", chat.contact_id)
                return
            except ChatGone:
                # nothing more can happen in it; the transcript still has its last items
                with contextlib.suppress(ParticipantError, LeaseLost):
                    await self._catch_up()
                await self._finish(chat)
                return
            except (ParticipantError, WebSocketException, OSError) as exc:
                if cancelling():
                    raise
                logger.warning("live chat %s: %s: %s", chat.contact_id, type(exc).__name__, exc)
            except Exception:
                if cancelling():
                    raise
                # a channel that failed to deliver: the item is read again after a reconnect
                logger.exception("live chat %s failed; reconnecting", chat.contact_id)
            websocket_url = None
            await asyncio.sleep(self._retry_seconds[min(failures, len(self._retry_seconds) - 1)])
            failures += 1

    async def _relay(self, websocket_url: str) -> bool:
        """Relay until the socket closes; whether the chat ended."""
        async with connect(websocket_url) as socket:
            await socket.send(SUBSCRIBE)
            if await self._catch_up():
                return True
            async for frame in socket:
                received = time.perf_counter()
                item = item_of(frame)
                if item is not None and await self._relay_item(item, received):
                    return True
        return False

    async def _catch_up(self) -> bool:
        """Relay what the transcript has after the last item relayed; whether the chat ended."""
        chat = self._chat
        kept = await self._store.get(chat.conversation_id)
        if kept is None or kept.contact_id != chat.contact_id:
            # ended meanwhile (the customer left, say): nothing is left to relay
            return True
        for item in await self._participant.transcript_after(
            chat.connection_token, kept.last_item_id
        ):
            if await self._relay_item(item):
                return True
        return False

    async def _relay_item(self, item: ChatItem, received: float | None = None) -> bool:
        chat = self._chat
        if item.content_type in PASSING:
            if item.content_type == TYPING_EVENT and item.role == "AGENT" and self._typing:
                try:
                    await self._typing(chat)
                except Exception:
                    logger.exception("live chat %s: typing not shown", chat.contact_id)
            return False
        if not item.item_id or item.item_id in self._seen:
            return False
        if not self._holds():
            raise LeaseLost(chat.contact_id)
        if item.content_type == JOINED_EVENT and item.role == "AGENT":
            await self._store.agent_joined(chat.contact_id)
        shown = told(item)
        if shown is not None:
            if not await self._deliver(chat, [BotMessage(text=shown)]):
                logger.warning("live chat %s: an item was not delivered", chat.contact_id)
            elif received is not None:
                # the socket's frames only: an item read from the transcript waited for nothing
                LIVE_CHAT_RELAY_SECONDS.labels("to_customer").observe(
                    time.perf_counter() - received
                )
        self._seen.add(item.item_id)
        await self._store.relayed(chat.contact_id, item.item_id, chat.connection_token)
        if item.content_type == ENDED_EVENT:
            await self._finish(chat)
            return True
        return False
