"""Handling one queued WhatsApp message: media fetched, Rasa asked, its replies sent.

Runs in the queue's worker. Rasa or Graph being down raises ``RetryLater`` so the message is
handled again later, still ahead of the sender's next one. A message the webhook found over its
sender's rate limit is not passed to Rasa; the sender is told so at most once a period.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import JsonValue, ValidationError

from api.channels.whatsapp.client import GraphClient, GraphUnavailable
from api.channels.whatsapp.delivery import Deliverer
from api.channels.whatsapp.media import fetch_media
from api.channels.whatsapp.outbound import render
from api.channels.whatsapp.payload import Message, message_text
from api.channels.whatsapp.store import WhatsAppRecords
from api.channels.whatsapp.webhook import to_inbound
from api.conversation import converse, phone_metadata
from api.jobs.queue import Job
from api.jobs.worker import RetryLater, remaining
from api.media import share_file_text
from api.rasa import BotMessage, RasaClient, RasaUnavailable
from api.ratelimit import SKIPPED_NOTICE
from api.settings import GatewaySettings

logger = logging.getLogger(__name__)


class WhatsAppProcessor:
    """Turns one queued message into a conversation turn."""

    def __init__(
        self,
        settings: GatewaySettings,
        rasa: RasaClient,
        graph: GraphClient,
        store: WhatsAppRecords,
        deliverer: Deliverer,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._rasa = rasa
        self._graph = graph
        self._store = store
        self._deliverer = deliverer
        self._clock = clock

    async def handle(self, job: Job) -> None:
        """Handle the message queued as ``job``."""
        try:
            message = Message.model_validate(job.payload.get("message"))
        except ValidationError:
            logger.error("Queued WhatsApp job %s is not a message; dropped", job.id)
            return
        name = job.payload.get("name")
        # the window runs from when the user wrote, which Meta's timestamp says; a clock ahead
        # of ours must not stretch it
        now = self._clock()
        written = min(float(message.timestamp), now) if message.timestamp else now
        await self._store.saw_user(message.from_, written)
        if job.payload.get("limited") is True:
            logger.info("WhatsApp message %s over its sender's rate limit; skipped", message.id)
            if job.payload.get("notice") is True:
                notice = BotMessage(text=SKIPPED_NOTICE)
                await self._deliverer.deliver(message.from_, render(notice, message.from_))
            return

        text = message_text(message)
        if text is None:
            logger.info("WhatsApp message %s of type %s ignored", message.id, message.type)
            return
        media = await self._media(message)
        if message.media is not None:
            text = share_file_text(message.media.caption)
        inbound = to_inbound(message, text, self._settings)
        metadata = phone_metadata(inbound, name if isinstance(name, str) else None, media)
        try:
            # a job claimed again may have reached Rasa before its gateway died
            replies = await converse(
                self._rasa, inbound, metadata, turn=job.key, again=job.attempts > 1
            )
        except RasaUnavailable as exc:
            raise RetryLater(str(exc)) from exc
        bodies = [body for reply in replies for body in render(reply, message.from_)]
        # a gateway that died mid-reply sent the first ones already
        rest, sent = remaining(job, bodies)
        await self._deliverer.deliver(message.from_, rest, sent)

    async def _media(self, message: Message) -> list[dict[str, JsonValue]]:
        if message.media is None:
            return []
        try:
            described = await fetch_media(
                self._graph,
                message.media,
                Path(self._settings.whatsapp_media_dir),
                self._settings.whatsapp_media_max_bytes,
            )
        except GraphUnavailable as exc:
            raise RetryLater(str(exc)) from exc
        return [described]
