"""Starting and stopping the live relay with the app (``HANDOFF_MODE=connect_chat``).

Agent messages reach a webchat customer on the page's open socket, else in the webchat inbox
until their next message (the file the notices keep theirs in); WhatsApp and Twilio customers
through the deliverers the app hands in. The agent typing shows on the page's open socket only
(a reply with no text but ``{"custom": {"typing": true}}``); the page's customer typing comes
back through ``routes``. The live chats are kept in ``HANDOFF_RELAY_DB``, or in the Redis every
gateway shares (``GATEWAY_QUEUE_URL``): then each gateway relays the chats whose lease it holds
and takes the customer's side of any. Every chat kept from before is picked up again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

import httpx
from fastapi import FastAPI

from api.channels.webchat.inbox import INBOX_STATE, LiveSockets, Reply, WebchatInbox, inbox_of
from api.channels.webchat.messages import to_webchat_reply
from api.conversation import relay_live_chats
from api.handoff.participant import ParticipantClient, participant_client
from api.handoff.redis_store import RedisRelayStore
from api.handoff.relay import ChatRelay
from api.handoff.routes import RELAY_STATE
from api.handoff.store import LiveChat, RelayRecords, RelayStore
from api.handoff.transcripts import TranscriptFiling, TranscriptPoster
from api.jobs.pipeline import open_store
from api.rasa import BotMessage, RasaClient
from api.settings import GatewaySettings

#: a reply the page shows as "typing" and nothing else (it has no text)
TYPING_REPLY: Reply = {"custom": {"typing": True}}


class ChannelDeliverer(Protocol):
    """Delivers the bot's messages to one address on one channel."""

    async def deliver(self, address: str, messages: Sequence[BotMessage]) -> bool:
        """Send ``messages`` to ``address``; whether they went out."""
        ...


class WebchatDeliverer:
    """The page's open socket in this process, else the inbox until the next message."""

    def __init__(self, app: FastAPI, sockets: LiveSockets, inbox: WebchatInbox) -> None:
        self._app = app
        self._sockets = sockets
        self._inbox = inbox

    async def deliver(self, address: str, messages: Sequence[BotMessage]) -> bool:
        """Show to the webchat sender ``address``."""
        conversation_id = f"webchat:{address}"
        replies = [r.model_dump(exclude_none=True) for r in to_webchat_reply(list(messages))]
        if await self._sockets.push(conversation_id, replies):
            return True
        # the inbox the webchat routes read from: the notices' when they run, else this one
        await (inbox_of(self._app.state) or self._inbox).add(conversation_id, replies)
        return True


@asynccontextmanager
async def handoff_channel(
    app: FastAPI,
    settings: GatewaySettings,
    rasa: RasaClient,
    sockets: LiveSockets,
    http: httpx.AsyncClient,
    others: Mapping[str, ChannelDeliverer],
) -> AsyncIterator[None]:
    """Relay live chats for the app's lifetime; nothing unless ``HANDOFF_MODE=connect_chat``.

    ``others`` deliver on the channels besides webchat that are configured (whatsapp, twilio).
    """
    if settings.handoff_mode != "connect_chat":
        yield
        return
    store: RelayRecords = await open_store(
        settings, RelayStore.open, settings.handoff_relay_db, RedisRelayStore.from_url
    )
    inbox = WebchatInbox.open(settings.notice_queue_db)
    if inbox_of(app.state) is None:
        setattr(app.state, INBOX_STATE, inbox)
    channels: dict[str, ChannelDeliverer] = {
        **others,
        "webchat": WebchatDeliverer(app, sockets, inbox),
    }

    async def deliver(chat: LiveChat, messages: list[BotMessage]) -> bool:
        channel = channels.get(chat.channel)
        if channel is None:
            return False
        return await channel.deliver(chat.sender, messages)

    async def typing(chat: LiveChat) -> None:
        # WhatsApp and Twilio show no typing from a business: only the page shows it
        if chat.channel == "webchat":
            await sockets.push(f"webchat:{chat.sender}", [TYPING_REPLY])

    participant = ParticipantClient(participant_client(settings.connect_participant_endpoint_url))
    relay = ChatRelay(
        store,
        participant,
        deliver,
        rasa.resume,
        transcripts=TranscriptFiling(
            store,
            participant,
            TranscriptPoster(http, settings.actions_url, settings.internal_api_token),
        ),
        agent_wait_seconds=settings.handoff_agent_wait_seconds,
        typing=typing,
    )
    relay_live_chats(rasa, relay)
    setattr(app.state, RELAY_STATE, relay)
    await relay.resume_all()
    try:
        yield
    finally:
        relay_live_chats(rasa, None)
        setattr(app.state, RELAY_STATE, None)
        await relay.close()
        participant.close()
        await inbox.close()
        await store.close()
