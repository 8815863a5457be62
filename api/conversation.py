"""The channel-neutral core: one inbound message, its conversation and what Rasa is told.

Every channel adapter turns its provider's request into an ``Inbound`` and hands it to
``converse``, the one turn function: it counts and times the turn under the inbound's channel
and tells Rasa the correlation id of the request behind it (for a queued message, the webhook
request that queued it). The keys ``channel``, ``origin``, ``role``, ``contact`` and
``identity`` of the metadata Rasa sees are set here from the adapter's fields only; whatever
the client itself sent travels, untrusted and untouched, under ``"client"``, so it can never
pose as one of them. (``api.rasa`` adds ``full_text`` to a message longer than Rasa reads.)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import JsonValue

from api.metrics import MESSAGES_IN, MESSAGES_OUT, TURN_FAILURES, TURN_SECONDS
from api.observability import correlation_id
from api.rasa import BotMessage, RasaClient, RasaError, RasaUnavailable

Channel = Literal["webchat", "whatsapp", "twilio", "voice"]
# Spelled as the case template's Origin options.
Origin = Literal["webchat", "WhatsApp", "Voice"]
Role = Literal["customer", "agent"]

CLIENT_METADATA_KEY = "client"


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
    rasa: RasaClient, inbound: Inbound, metadata: Mapping[str, JsonValue] | None = None
) -> list[BotMessage]:
    """Pass one inbound message to Rasa and return the bot's replies (counted and timed).

    ``metadata`` is what Rasa is told, built from ``inbound`` (``Inbound.rasa_metadata`` when
    not given, or a channel's ``phone_metadata``); the correlation id is added here.
    """
    told = dict(inbound.rasa_metadata() if metadata is None else metadata)
    correlation = correlation_id.get()
    if correlation is not None:
        told["correlation_id"] = correlation
    MESSAGES_IN.labels(inbound.channel).inc()
    started = time.perf_counter()
    try:
        replies = await rasa.send_message(inbound.conversation_id, inbound.text, told)
    except RasaUnavailable:
        TURN_FAILURES.labels(inbound.channel, "rasa_unavailable").inc()
        raise
    except RasaError:
        TURN_FAILURES.labels(inbound.channel, "rasa_error").inc()
        raise
    TURN_SECONDS.labels(inbound.channel).observe(time.perf_counter() - started)
    MESSAGES_OUT.labels(inbound.channel).inc(len(replies))
    return replies
