"""Handling one queued IVR handoff or case notice in the background worker.

The job names the customer's WhatsApp id, the intent to trigger and its entities. Rasa being
down raises ``RetryLater`` so the job runs again later, still ahead of the customer's next
one; any other refusal is recorded as ``failed``. Whoever waits on the job is told.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict, ValidationError

from api.jobs.queue import Job
from api.jobs.worker import RetryLater
from api.outreach.delivery import Outreach
from api.outreach.records import Record, Records
from api.outreach.runtime import Waiters
from api.rasa import RasaError, RasaUnavailable

logger = logging.getLogger(__name__)


class OutreachJob(BaseModel):
    """What a queued job asks for."""

    model_config = ConfigDict(frozen=True)

    wa_id: str
    intent: str
    entities: dict[str, str]


class OutreachProcessor:
    """Runs queued jobs through ``Outreach`` and records what became of each."""

    def __init__(self, outreach: Outreach, records: Records, waiters: Waiters) -> None:
        self._outreach = outreach
        self._records = records
        self._waiters = waiters

    async def handle(self, job: Job) -> None:
        """Handle the handoff or notice queued as ``job``."""
        try:
            wanted = OutreachJob.model_validate(job.payload)
        except ValidationError:
            logger.error("Queued outreach job %s is malformed; dropped", job.id)
            return
        try:
            reached = await self._outreach.reach(wanted.wa_id, wanted.intent, wanted.entities)
        except RasaUnavailable as exc:
            raise RetryLater(str(exc)) from exc
        except RasaError as exc:
            logger.error("Outreach %s refused by Rasa: %s", wanted.intent, exc)
            await self._finish(job.key, "failed", None, str(exc))
            return
        # the case the conversation is now about, as the bot accepted it (maybe none)
        await self._finish(job.key, reached.status, reached.case_ref, None, replace_ref=True)

    async def _finish(
        self,
        key: str,
        status: str,
        case_ref: str | None,
        detail: str | None,
        replace_ref: bool = False,
    ) -> None:
        await self._records.finish(key, status, case_ref, detail, replace_ref=replace_ref)
        record = await self._records.get(key)
        self._waiters.settle(key, record or Record(key, "unknown", status, case_ref=case_ref))
