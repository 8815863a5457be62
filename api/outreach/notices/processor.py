"""Handling one queued notice about a queued case: the turn triggered, its words delivered.

The job names the conversation, the intent (``case_filed`` with ``case_ref``, or
``case_not_filed``) and its entities. The intent runs in the conversation through Rasa's
``trigger_intent``, so the bot words the notice in that conversation's language and state,
and what it says goes out on the conversation's channel. Rasa being down raises
``RetryLater`` so the job runs again later; any other refusal is recorded as ``failed``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, ValidationError

from api.jobs.queue import Job
from api.jobs.worker import RetryLater
from api.outreach.notices.delivery import NoticeChannel
from api.outreach.records import Records
from api.rasa import RasaClient, RasaError, RasaUnavailable

logger = logging.getLogger(__name__)


class NoticeJob(BaseModel):
    """What a queued notice asks for."""

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    intent: str
    entities: dict[str, str]


def split_conversation(conversation_id: str) -> tuple[str, str]:
    """The channel a conversation id names, and the address on it."""
    channel, _, address = conversation_id.partition(":")
    return channel, address


class NoticeProcessor:
    """Runs queued notices and records what became of each."""

    def __init__(
        self,
        rasa: RasaClient,
        channels: Mapping[str, NoticeChannel],
        records: Records,
    ) -> None:
        self._rasa = rasa
        self._channels = channels
        self._records = records

    async def handle(self, job: Job) -> None:
        """Handle the notice queued as ``job``."""
        try:
            wanted = NoticeJob.model_validate(job.payload)
        except ValidationError:
            logger.error("Queued notice %s is malformed; dropped", job.id)
            return
        name, address = split_conversation(wanted.conversation_id)
        channel = self._channels.get(name)
        if channel is None or not address:
            # the channel was switched off since the notice was accepted
            await self._records.finish(job.key, "failed", detail=f"no {name} channel")
            return
        try:
            triggered = await self._rasa.trigger(
                wanted.conversation_id, wanted.intent, wanted.entities
            )
        except RasaUnavailable as exc:
            raise RetryLater(str(exc)) from exc
        except RasaError as exc:
            logger.error("Notice %s refused by Rasa: %s", wanted.intent, exc)
            await self._records.finish(job.key, "failed", detail=str(exc))
            return
        if not triggered.messages:
            # a conversation a person has taken over, or a notice the bot had nothing to say to
            await self._records.finish(job.key, "no_reply")
            return
        sent = await channel.deliver(address, triggered.messages)
        await self._records.finish(job.key, "sent" if sent else "failed")
        logger.info("Notice %s on %s: %s", wanted.intent, name, "sent" if sent else "failed")
