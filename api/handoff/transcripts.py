"""An ended chat's transcript, sent to the action server to go on the case as a comment.

The gateway never talks to a case back end: it posts the transcript to the action server's
``POST /internal/chat-transcripts`` (``actions.kit.transcripts``) with ``INTERNAL_API_TOKEN``.
The chat's end leaves the transcript due in the relay's store (``RelayRecords.end``); the one
gateway that claims it reads it once, then posts it until the action server files it, trying
again with growing pauses while the action server is down or the case system cannot take it
(503). Only an answer that another
try cannot change (no such case, a body it refuses) ends the tries; the transcript also stays
in Amazon Connect's own records of the contact, which is linked to the case.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

import httpx
from pydantic import SecretStr

from api.handoff.participant import ChatGone, ChatItem, ParticipantClient, ParticipantError
from api.handoff.store import DueTranscript, RelayRecords
from api.handoff.tasks import cancelling

logger = logging.getLogger(__name__)

TRANSCRIPTS_PATH = "/internal/chat-transcripts"
#: what the action server takes at most, in characters; the latest lines are kept
MAX_TRANSCRIPT_CHARS = 200_000
_ROLES = {"CUSTOMER": "Customer", "AGENT": "Agent", "SYSTEM": "System"}
#: the pause before each next try at filing a transcript, after each failure in turn
RETRY_SECONDS = (10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
#: how long a gateway filing a transcript keeps it from the others (a gateway that dies
#: meanwhile leaves it to another after this)
CLAIM_SECONDS = 300.0
#: the action server's answers that another try cannot change: off or no such case, a body
#: it will never take
_FINAL = frozenset({404, 413, 422})

#: what became of one post: on the case, never to be, or worth another try later
Outcome = Literal["filed", "refused", "later"]
#: posts ``(case_ref, contact_id, transcript)``
Post = Callable[[str, str, str], Awaitable[Outcome]]


def transcript_text(items: Sequence[ChatItem], limit: int = MAX_TRANSCRIPT_CHARS) -> str:
    """The chat's messages as plain text, one line each, the latest within ``limit``."""
    lines: list[str] = []
    room = limit
    for item in reversed(items):
        if item.kind != "MESSAGE" or not item.content.strip():
            continue
        name = item.display_name if item.role == "AGENT" and item.display_name else None
        line = (
            f"{name or _ROLES.get(item.role, item.role.title())}: {' '.join(item.content.split())}"
        )
        if len(line) + 1 > room:
            break
        lines.append(line)
        room -= len(line) + 1
    return "\n".join(reversed(lines))


class TranscriptPoster:
    """Posts transcripts to the action server."""

    def __init__(self, http: httpx.AsyncClient, actions_url: str, token: SecretStr | None) -> None:
        self._http = http
        self._url = actions_url.rstrip("/") + TRANSCRIPTS_PATH
        self._token = token

    async def __call__(self, case_ref: str, contact_id: str, text: str) -> Outcome:
        """Send a chat's transcript for its case; what became of it."""
        if self._token is None:
            logger.warning("chat transcript not sent: no INTERNAL_API_TOKEN")
            return "refused"
        body = {"case_ref": case_ref, "contact_id": contact_id, "transcript": text}
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}"}
        try:
            answer = await self._http.post(self._url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("chat transcript not sent: %s", type(exc).__name__)
            return "later"
        if answer.status_code == 204:
            return "filed"
        logger.warning("chat transcript refused by the action server: %s", answer.status_code)
        # no such case, or a body it will never take: trying again changes nothing
        return "refused" if answer.status_code in _FINAL else "later"


class TranscriptFiling:
    """Files the transcripts the store holds due, each until its case has it.

    ``run`` goes on for the gateway's lifetime: it files what is due, then sleeps until the
    next one is (or until ``wake``). A transcript is read from the chat once, then kept as
    text, so later tries need neither the chat nor its token.
    """

    def __init__(
        self,
        store: RelayRecords,
        participant: ParticipantClient,
        post: Post,
        *,
        retry_seconds: tuple[float, ...] | None = None,
        idle_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._participant = participant
        self._post = post
        self._retry_seconds = RETRY_SECONDS if retry_seconds is None else retry_seconds
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A transcript has come due: file it now."""
        self._wake.set()

    async def run(self) -> None:
        """File due transcripts until cancelled."""
        while True:
            self._wake.clear()
            next_due: float | None = None
            try:
                for due in await self._store.due_transcripts():
                    # every gateway looks; the one that claims a transcript files it
                    if await self._store.claim_transcript(due.contact_id, CLAIM_SECONDS):
                        await self._attempt(due)
                next_due = await self._store.next_transcript_due()
            except Exception:
                if cancelling():
                    raise
                logger.exception("filing chat transcripts failed")
            wait = self._idle_seconds
            if next_due is not None:
                wait = min(wait, max(next_due - self._clock(), 0.0))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()

    async def _attempt(self, due: DueTranscript) -> None:
        text = due.transcript
        if text is None:
            try:
                items = await self._participant.transcript_after(due.connection_token, None)
            except ChatGone:
                logger.warning("chat %s transcript can no longer be read", due.contact_id)
                await self._store.transcript_done(due.contact_id)
                return
            except ParticipantError as exc:
                logger.warning("chat %s transcript not read: %s", due.contact_id, exc)
                await self._later(due)
                return
            text = transcript_text(items)
            await self._store.transcript_read(due.contact_id, text)
        if not text:
            await self._store.transcript_done(due.contact_id)
            return
        if await self._post(due.case_ref, due.contact_id, text) == "later":
            await self._later(due)
        else:
            await self._store.transcript_done(due.contact_id)

    async def _later(self, due: DueTranscript) -> None:
        delay = self._retry_seconds[min(due.attempts, len(self._retry_seconds) - 1)]
        logger.info("chat %s transcript: next try in %.0f s", due.contact_id, delay)
        await self._store.transcript_later(due.contact_id, delay)
