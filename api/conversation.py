"""The channel-neutral core: one inbound message, its conversation and what Rasa is told.

Every channel adapter turns its provider's request into an ``Inbound`` and hands it to
``converse``, the one turn function: it counts and times the turn under the inbound's channel
and tells Rasa the correlation id of the request behind it (for a queued message, the webhook
request that queued it). The keys ``channel``, ``origin``, ``role``, ``contact`` and
``identity`` of the metadata Rasa sees are set here from the adapter's fields only; whatever
the client itself sent travels, untrusted and untouched, under ``"client"``, so it can never
pose as one of them. (``api.rasa`` adds ``full_text`` to a message longer than Rasa reads.)

While the customer is in a live chat with a person (``api.handoff``), ``converse`` sends their
message to the chat instead of Rasa, and answers nothing itself. A handoff's reply carries the
chat to join as the custom payload ``{"live_chat": {...}}``: it is taken out of the replies here,
whatever happens, so no channel ever shows it. The live chats are those ``relay_live_chats``
registered with the Rasa client (one per app): without them, the chat cannot be relayed, so
the conversation is resumed and the customer told so.

A queued message is a turn that may be tried again: its gateway can die after Rasa answered it
and before its replies went out, and another gateway then takes the job over. Its key (the
queue's dedup key) travels as the metadata ``turn``; a turn tried again first looks for that
key in the conversation and, when Rasa has it, is answered with what the bot said then, so the
message is never run twice (a form would take it as the answer to its next question).
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import JsonValue

from api.metrics import MESSAGES_IN, MESSAGES_OUT, TURN_FAILURES, TURN_SECONDS
from api.observability import correlation_id
from api.rasa import BotMessage, RasaClient, RasaError, RasaUnavailable

Channel = Literal["webchat", "whatsapp", "twilio", "voice"]
# Spelled as the case template's Origin options.
Origin = Literal["webchat", "WhatsApp", "Voice"]
Role = Literal["customer", "agent"]

CLIENT_METADATA_KEY = "client"
#: the metadata key of a queued message's key, which finds the turn again in the conversation
TURN_KEY = "turn"
#: the custom payload of a handoff's reply that carries the live chat to join
LIVE_CHAT_KEY = "live_chat"
#: told when a handoff's chat cannot be joined: the assistant answers again
NOT_CONNECTED = (
    "Sorry, I couldn't connect you to our team just now. Your request is with them, and "
    "I'm still here if you need anything else."
)

logger = logging.getLogger(__name__)


class LiveChatUnavailable(RasaUnavailable):
    """The customer's live chat could not take their message now; the channel tries again
    later, as when Rasa is down (the other end of the conversation is what failed)."""


class LiveChats(Protocol):
    """The live chats with a person that customers are in (``api.handoff.relay.ChatRelay``)."""

    async def customer_says(
        self,
        conversation_id: str,
        text: str,
        message_id: str | None = None,
        files: Sequence[Mapping[str, JsonValue]] = (),
    ) -> bool:
        """Send the message, and the ``files`` it shared (as the channel described them to
        Rasa), to the conversation's live chat; whether it has one (``LiveChatUnavailable``
        when the chat cannot take it now). A message sent again with the same ``message_id``
        reaches the chat once."""
        ...

    async def open(
        self, conversation_id: str, channel: str, sender: str, handed: Mapping[str, JsonValue]
    ) -> object:
        """Join the chat a handoff handed over, as the customer, and relay it."""
        ...


_LIVE: weakref.WeakKeyDictionary[RasaClient, LiveChats] = weakref.WeakKeyDictionary()


def relay_live_chats(rasa: RasaClient, live: LiveChats | None) -> None:
    """Turns through ``rasa`` now check ``live`` first (``None``: no live chats any more)."""
    if live is None:
        _LIVE.pop(rasa, None)
    else:
        _LIVE[rasa] = live


@dataclass(frozen=True)
class Inbound:
    """A user's message as the gateway understood it, whatever channel it came on."""

    channel: Channel
    sender: str
    text: str
    origin: Origin
    role: Role = "customer"
    contact: str | None = None
    #: what a verified identity token says of the user (webchat), set by the gateway only
    identity: Mapping[str, JsonValue] | None = None
    client_metadata: Mapping[str, JsonValue] = field(default_factory=dict)
    #: the provider's id of the message, the same each time it is delivered or handled again
    message_id: str | None = None

    @property
    def conversation_id(self) -> str:
        """The Rasa conversation, namespaced so one channel's sender cannot reach another's."""
        return f"{self.channel}:{self.sender}"

    def rasa_metadata(self) -> dict[str, JsonValue]:
        """The metadata sent to Rasa with the message."""
        metadata: dict[str, JsonValue] = {
            "channel": self.channel,
            "origin": self.origin,
            "role": self.role,
        }
        if self.contact is not None:
            metadata["contact"] = self.contact
        if self.identity is not None:
            metadata["identity"] = dict(self.identity)
        if self.client_metadata:
            metadata[CLIENT_METADATA_KEY] = dict(self.client_metadata)
        return metadata


def phone_metadata(
    inbound: Inbound, name: str | None, media: Sequence[dict[str, JsonValue]]
) -> dict[str, JsonValue]:
    """Rasa's metadata for a WhatsApp message: the neutral keys plus the user's number, name
    and any media, whichever provider carried it."""
    metadata = inbound.rasa_metadata()
    metadata["phone"] = inbound.contact
    metadata["name"] = name
    if media:
        metadata["media"] = list(media)
    return metadata


async def converse(
    rasa: RasaClient,
    inbound: Inbound,
    metadata: Mapping[str, JsonValue] | None = None,
    turn: str | None = None,
    again: bool = False,
) -> list[BotMessage]:
    """Pass one inbound message to Rasa and return the bot's replies (counted and timed).

    ``metadata`` is what Rasa is told, built from ``inbound`` (``Inbound.rasa_metadata`` when
    not given, or a channel's ``phone_metadata``); the correlation id is added here. A message
    of a customer in a live chat goes to the chat, and nothing is answered. ``turn`` is a
    queued message's key and ``again`` says the turn was tried before: then a message Rasa
    already has is answered from the conversation instead of being sent again.
    """
    live = _LIVE.get(rasa)
    MESSAGES_IN.labels(inbound.channel).inc()
    if live is not None and await live.customer_says(
        inbound.conversation_id, inbound.text, inbound.message_id, _files(metadata)
    ):
        return []
    told = dict(inbound.rasa_metadata() if metadata is None else metadata)
    correlation = correlation_id.get()
    if correlation is not None:
        told["correlation_id"] = correlation
    if turn is not None:
        told[TURN_KEY] = turn
    started = time.perf_counter()
    try:
        answered = None
        if turn is not None and again:
            answered = await rasa.replies_to(inbound.conversation_id, TURN_KEY, turn)
        if answered is not None:
            logger.warning(
                "%s turn tried again was answered before; not run twice", inbound.channel
            )
            replies = answered
        else:
            replies = await rasa.send_message(inbound.conversation_id, inbound.text, told)
    except RasaUnavailable:
        TURN_FAILURES.labels(inbound.channel, "rasa_unavailable").inc()
        raise
    except RasaError:
        TURN_FAILURES.labels(inbound.channel, "rasa_error").inc()
        raise
    TURN_SECONDS.labels(inbound.channel).observe(time.perf_counter() - started)
    replies = await _join_live_chat(rasa, live, inbound, replies)
    MESSAGES_OUT.labels(inbound.channel).inc(len(replies))
    return replies


async def _join_live_chat(
    rasa: RasaClient, live: LiveChats | None, inbound: Inbound, replies: list[BotMessage]
) -> list[BotMessage]:
    """The replies without a handoff's live chat, which is joined; or the truth if it cannot be."""
    handed = [_handed(reply) for reply in replies]
    chats = [chat for chat in handed if chat is not None]
    if not chats:
        return replies
    kept = [reply for reply, chat in zip(replies, handed, strict=True) if chat is None]
    try:
        if live is None:
            raise LookupError("live chats are not relayed by this gateway (HANDOFF_MODE)")
        await live.open(inbound.conversation_id, inbound.channel, inbound.sender, chats[-1])
    except Exception as exc:
        # the customer was told a person is coming and Rasa is paused: neither may stay so
        logger.error("live chat of %s not joined: %s", inbound.channel, type(exc).__name__)
        await rasa.resume(inbound.conversation_id)
        return [BotMessage(text=NOT_CONNECTED)]
    return kept


def _files(metadata: Mapping[str, JsonValue] | None) -> list[Mapping[str, JsonValue]]:
    """The files a message shared, as the channel described them (``phone_metadata``)."""
    media = None if metadata is None else metadata.get("media")
    if not isinstance(media, list):
        return []
    return [item for item in media if isinstance(item, dict)]


def _handed(reply: BotMessage) -> Mapping[str, JsonValue] | None:
    custom = reply.custom
    if not isinstance(custom, dict):
        return None
    chat = custom.get(LIVE_CHAT_KEY)
    return chat if isinstance(chat, dict) else None
