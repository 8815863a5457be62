"""Writing first on WhatsApp: a turn triggered in Rasa, its messages sent to the customer.

The IVR handoff and case notices both reach a customer who did not just write. Inside the
24-hour window the bot's messages go out as usual; outside it only an approved template may,
so when ``WHATSAPP_NOTICE_TEMPLATE_NAME`` names a template with one body variable, the bot's
words travel in it (flattened to one line, as WhatsApp requires of variables); otherwise the
plain ``WHATSAPP_TEMPLATE_NAME`` invites the customer to answer, which opens the window.
A one-time code outside the window goes in the AUTHENTICATION template
``WHATSAPP_CODE_TEMPLATE_NAME`` when one is named, as Meta requires of codes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import JsonValue

from api.channels.whatsapp.client import GraphClient
from api.channels.whatsapp.delivery import Deliverer, Template
from api.channels.whatsapp.outbound import (
    Body,
    code_template_message,
    render,
    shorten,
    template_message,
    text_message,
)
from api.channels.whatsapp.store import WhatsAppRecords
from api.outbound import Backoff
from api.rasa import BotMessage, RasaClient

logger = logging.getLogger(__name__)

#: a template variable may not be long; the template's own words need room too
VARIABLE_LIMIT = 900


def one_line(messages: Sequence[BotMessage]) -> str:
    """The bot's messages as one line: WhatsApp refuses newlines and tabs in variables."""
    parts: list[str] = []
    for message in messages:
        if message.text:
            parts.append(" ".join(message.text.split()))
        if message.buttons:
            options = "; ".join(" ".join(button.title.split()) for button in message.buttons)
            parts.append(f"({options})")
    return shorten(" ".join(parts), VARIABLE_LIMIT)


def notice_template(wa_id: str, template: Template, text: str) -> Body:
    """The template ``template`` with ``text`` as its one body variable."""
    body = template_message(wa_id, template.name, template.language)
    content = body["template"]
    if isinstance(content, dict):
        content["components"] = [{"type": "body", "parameters": [{"type": "text", "text": text}]}]
    return body


class NoticeDeliverer(Deliverer):
    """The WhatsApp ``Deliverer``, plus the bot's words in a template outside the window."""

    def __init__(
        self,
        graph: GraphClient,
        store: WhatsAppRecords,
        template: Template | None,
        backoff: Backoff,
        notice: Template | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        code: Template | None = None,
    ) -> None:
        super().__init__(graph, store, template, backoff, sleep)
        self._notice = notice
        self._code = code

    async def deliver_first(self, wa_id: str, messages: Sequence[BotMessage]) -> bool:
        """Send the bot's messages to ``wa_id``; whether they (or a template) went out."""
        bodies = [body for message in messages for body in render(message, wa_id)]
        if not bodies:
            return True
        if await self._store.window_open(wa_id):
            for body in bodies:
                outcome = await self._send(wa_id, body)
                if outcome == "window_closed":
                    return await self._outside_window(wa_id, messages)
                if outcome == "failed":
                    return False
            return True
        return await self._outside_window(wa_id, messages)

    async def deliver_code(self, wa_id: str, code: str, text: str) -> bool:
        """Send the one-time ``code`` to ``wa_id``: ``text`` (one line, the code in it) in the
        window; else the authentication template, when one is named, else as ``deliver_whole``."""
        if self._code is None:
            return await self.deliver_whole(wa_id, text)
        if (went := await self._in_window(wa_id, text)) is not None:
            return went
        body = code_template_message(wa_id, self._code.name, self._code.language, code)
        return await self._send(wa_id, body) == "sent"

    async def deliver_whole(self, wa_id: str, text: str) -> bool:
        """Send ``text`` (one line) to ``wa_id`` as it is, or not at all: a text in the window,
        else the notice template carrying it; never the plain template, which would not."""
        if (went := await self._in_window(wa_id, text)) is not None:
            return went
        if self._notice is None:
            logger.warning("WhatsApp window closed and no notice template configured; not sent")
            return False
        return await self._send(wa_id, notice_template(wa_id, self._notice, text)) == "sent"

    async def _in_window(self, wa_id: str, text: str) -> bool | None:
        """Whether ``text`` went as a text; ``None`` outside the window (Graph may say so)."""
        if await self._store.window_open(wa_id):
            outcome = await self._send(wa_id, text_message(wa_id, text))
            if outcome != "window_closed":
                return outcome == "sent"
        return None

    async def _outside_window(self, wa_id: str, messages: Sequence[BotMessage]) -> bool:
        text = one_line(messages)
        if self._notice is not None and text:
            return await self._send(wa_id, notice_template(wa_id, self._notice, text)) == "sent"
        if self._template is None:
            await self._send_template(wa_id)  # records that no template is configured
            return False
        body = template_message(wa_id, self._template.name, self._template.language)
        return await self._send(wa_id, body) == "sent"


@dataclass(frozen=True)
class Reached:
    """What became of one attempt to write first."""

    #: sent (the messages or a template went out), failed, or no_reply (the bot said nothing)
    status: str
    case_ref: str | None = None


class Outreach:
    """Triggers an intent in a customer's WhatsApp conversation and sends what the bot says."""

    def __init__(self, rasa: RasaClient, deliverer: NoticeDeliverer) -> None:
        self._rasa = rasa
        self._deliverer = deliverer

    async def reach(self, wa_id: str, intent: str, entities: Mapping[str, str]) -> Reached:
        """Run ``intent`` in ``whatsapp:<wa_id>`` and send the bot's messages to ``wa_id``.

        Raises ``api.rasa.RasaError`` (``RasaUnavailable`` when worth retrying).
        """
        triggered = await self._rasa.trigger(f"whatsapp:{wa_id}", intent, entities)
        # the slot may hold "reference#case id" to tell apart cases sharing a reference
        slot = _text(triggered.slots.get("case_ref"))
        case_ref = slot.partition("#")[0] if slot else None
        if not triggered.messages:
            # a paused conversation (a person has it) or an action with nothing to say
            return Reached("no_reply", case_ref)
        sent = await self._deliverer.deliver_first(wa_id, triggered.messages)
        return Reached("sent" if sent else "failed", case_ref)


def _text(value: JsonValue) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
