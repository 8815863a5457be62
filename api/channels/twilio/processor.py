"""Handling one queued Twilio message: media fetched, Rasa asked, its replies sent.

Runs in the queue's worker. Rasa or Twilio being down raises ``RetryLater`` so the message is
handled again later, still ahead of the sender's next one. A message claimed again after its
gateway died is not run twice: Rasa's answer then is read back from the conversation (by the
message's SID, the metadata ``turn``), and the replies Twilio had accepted are not sent again.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import JsonValue, ValidationError

from api.channels.twilio.client import TwilioClient, TwilioUnavailable
from api.channels.twilio.delivery import TwilioDeliverer
from api.channels.twilio.media import fetch_media
from api.channels.twilio.outbound import choice_payload, latest_buttons, render
from api.channels.twilio.payload import TwilioMessage, message_text
from api.channels.twilio.store import TwilioRecords
from api.channels.twilio.webhook import to_inbound
from api.conversation import converse, phone_metadata
from api.jobs.queue import Job
from api.jobs.worker import RetryLater, remaining
from api.media import share_file_text
from api.rasa import RasaClient, RasaUnavailable
from api.settings import GatewaySettings

logger = logging.getLogger(__name__)


class TwilioProcessor:
    """Turns one queued message into a conversation turn."""

    def __init__(
        self,
        settings: GatewaySettings,
        rasa: RasaClient,
        client: TwilioClient,
        store: TwilioRecords,
        deliverer: TwilioDeliverer,
    ) -> None:
        self._settings = settings
        self._rasa = rasa
        self._client = client
        self._store = store
        self._deliverer = deliverer

    async def handle(self, job: Job) -> None:
        """Handle the message queued as ``job``."""
        try:
            message = TwilioMessage.model_validate(job.payload.get("message"))
        except ValidationError:
            logger.error("Queued Twilio job %s is not a message; dropped", job.id)
            return
        said = message_text(message)
        if said is None:
            logger.info("Twilio message %s without content ignored", message.message_sid)
            return
        phone = message.phone
        text = choice_payload(said, await self._store.choices(phone)) or said
        media = await self._media(message)
        if media:
            # the body of a message with media is its caption
            text = share_file_text(message.body)
        inbound = to_inbound(message, text, self._settings)
        metadata = phone_metadata(inbound, message.profile_name, media)
        try:
            # a job claimed again may have reached Rasa before its gateway died
            replies = await converse(
                self._rasa, inbound, metadata, turn=job.key, again=job.attempts > 1
            )
        except RasaUnavailable as exc:
            raise RetryLater(str(exc)) from exc
        await self._store.remember_choices(phone, latest_buttons(replies))
        bodies = [body for reply in replies for body in render(reply)]
        # a gateway that died mid-reply sent the first ones already
        rest, sent = remaining(job, bodies)
        await self._deliverer.deliver(message.from_, phone, rest, sent)

    async def _media(self, message: TwilioMessage) -> list[dict[str, JsonValue]]:
        try:
            return await fetch_media(
                self._client,
                message,
                Path(self._settings.whatsapp_media_dir),
                self._settings.whatsapp_media_max_bytes,
            )
        except TwilioUnavailable as exc:
            raise RetryLater(str(exc)) from exc
