"""Where a notice's words go: one small deliverer per channel the gateway serves.

A conversation id names its channel (``whatsapp:<wa_id>``, ``twilio:<+phone>``,
``webchat:<sender>``), so the prefix picks the deliverer and the rest is the address.
WhatsApp uses the deliverer of the IVR handoff (a template outside the 24-hour window);
Twilio sends through the Messages API; webchat pushes to the page's socket when this gateway
holds it, else keeps the words in the inbox, which pushes them to a socket another gateway
holds or shows them with the conversation's next message.

A one-time code goes only to WhatsApp (``WhatsAppCodes``), in fixed words whose one variable is
the code: a text in the window; outside it the authentication template (WhatsApp's own words
around the code, with a copy-code button) when one is named, else the notice template carrying
those words, else nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from api.channels.twilio.delivery import TwilioDeliverer
from api.channels.twilio.outbound import render
from api.channels.webchat.inbox import Inbox, LiveSockets
from api.channels.webchat.messages import to_webchat_reply
from api.outreach.delivery import NoticeDeliverer
from api.rasa import BotMessage


class NoticeChannel(Protocol):
    """Delivers the bot's messages to one address on one channel."""

    async def deliver(self, address: str, messages: Sequence[BotMessage]) -> bool:
        """Send ``messages`` to ``address``; whether they went out (or will, for sure)."""
        ...


class WhatsAppNotices:
    """WhatsApp Cloud API: the bot's words, or a template outside the window."""

    def __init__(self, deliverer: NoticeDeliverer) -> None:
        self._deliverer = deliverer

    async def deliver(self, address: str, messages: Sequence[BotMessage]) -> bool:
        """Send to the WhatsApp id ``address``."""
        return await self._deliverer.deliver_first(address, messages)


#: a one-time code: six ASCII digits, nothing else
CODE = re.compile(r"[0-9]{6}")
#: what a code goes out in; one line, as a template variable must be
CODE_WORDS = (
    "Your one-time code is {code}. Type it in the chat where you asked for it. If you did not"
    " ask for it, ignore this message: nobody can see your case without it."
)


class WhatsAppCodes:
    """Sends a one-time code to a WhatsApp id, whole or not at all."""

    def __init__(self, deliverer: NoticeDeliverer) -> None:
        self._deliverer = deliverer

    async def send(self, wa_id: str, code: str) -> bool:
        """Send ``code`` (six digits, else ``ValueError``) to ``wa_id``; whether it went."""
        if not CODE.fullmatch(code):
            raise ValueError("a one-time code is six digits")
        return await self._deliverer.deliver_code(wa_id, code, CODE_WORDS.format(code=code))


class TwilioNotices:
    """Twilio's Messages API, to ``whatsapp:<phone>``."""

    def __init__(self, deliverer: TwilioDeliverer) -> None:
        self._deliverer = deliverer

    async def deliver(self, address: str, messages: Sequence[BotMessage]) -> bool:
        """Send to the E.164 number ``address``."""
        bodies = [body for message in messages for body in render(message)]
        return await self._deliverer.deliver(f"whatsapp:{address}", address, bodies)


class WebchatNotices:
    """The page's open socket in this process, else the inbox (live on another gateway's socket,
    or with the next message)."""

    def __init__(self, inbox: Inbox, sockets: LiveSockets) -> None:
        self._inbox = inbox
        self._sockets = sockets

    async def deliver(self, address: str, messages: Sequence[BotMessage]) -> bool:
        """Show to the webchat sender ``address``."""
        conversation_id = f"webchat:{address}"
        replies = [
            reply.model_dump(exclude_none=True) for reply in to_webchat_reply(list(messages))
        ]
        if not replies:
            return True
        if await self._sockets.push(conversation_id, replies):
            return True
        await self._inbox.add(conversation_id, replies)
        return True
