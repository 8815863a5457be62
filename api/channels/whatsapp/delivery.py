"""Sending the bot's replies to one WhatsApp user, within the rules of the Cloud API.

Free-form messages go out only inside the 24-hour customer-service window; outside it, or when
Graph says the window has closed (131047), the configured approved template goes instead.
Throttling (130429, 131056...), 429 and 5xx are retried with exponential back-off a bounded
number of times; any other refusal is recorded and the rest of the reply is dropped, since
later messages may build on the lost one. Every outcome is recorded in the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import JsonValue

from api.channels.whatsapp.client import GraphClient, GraphError
from api.channels.whatsapp.outbound import Body, template_message
from api.channels.whatsapp.store import Delivery, WhatsAppRecords
from api.outbound import Backoff

logger = logging.getLogger(__name__)

Outcome = Literal["sent", "failed", "window_closed"]


@dataclass(frozen=True)
class Template:
    """An approved message template."""

    name: str
    language: str


def template(name: str | None, language: str) -> Template | None:
    """The template ``name`` in ``language``; ``None`` when no name is configured."""
    return Template(name, language) if name else None


class Deliverer:
    """Sends rendered messages through Graph and records what became of each."""

    def __init__(
        self,
        graph: GraphClient,
        store: WhatsAppRecords,
        template: Template | None,
        backoff: Backoff,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._graph = graph
        self._store = store
        self._template = template
        self._backoff = backoff
        self._sleep = sleep

    async def deliver(
        self,
        wa_id: str,
        bodies: Sequence[Body],
        sent: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        """Send ``bodies`` in order to ``wa_id``, or the template outside the window;
        ``sent(n)`` is awaited once the first ``n`` are sent."""
        if not bodies:
            return
        if not await self._store.window_open(wa_id):
            await self._send_template(wa_id)
            return
        for count, body in enumerate(bodies, start=1):
            outcome = await self._send(wa_id, body)
            if outcome == "window_closed":
                await self._send_template(wa_id)
                return
            if outcome == "failed":
                return
            if sent is not None:
                await sent(count)

    async def _send_template(self, wa_id: str) -> None:
        if self._template is None:
            logger.warning("WhatsApp window closed and no template configured; reply dropped")
            await self._store.record_delivery(
                Delivery(wa_id, "template", "failed", None, 0, None, "no template configured")
            )
            return
        body = template_message(wa_id, self._template.name, self._template.language)
        await self._send(wa_id, body)

    async def _send(self, wa_id: str, body: Body) -> Outcome:
        kind = _kind(body)
        attempt = 0
        while True:
            attempt += 1
            try:
                wamid = await self._graph.send(body)
            except GraphError as exc:
                if exc.is_transient and attempt < self._backoff.max_attempts:
                    await self._sleep(self._backoff.delay(attempt))
                    continue
                outcome: Outcome = (
                    "window_closed" if exc.window_closed and kind != "template" else "failed"
                )
                logger.warning(
                    "WhatsApp %s message not sent after %d attempt(s): code %s, %s",
                    kind,
                    attempt,
                    exc.code,
                    exc.title,
                )
                await self._store.record_delivery(
                    Delivery(wa_id, kind, outcome, None, attempt, exc.code, exc.title)
                )
                return outcome
            await self._store.record_delivery(Delivery(wa_id, kind, "sent", wamid, attempt))
            return "sent"


def _kind(body: Body) -> str:
    kind: JsonValue = body.get("type")
    return kind if isinstance(kind, str) else "unknown"
