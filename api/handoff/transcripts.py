"""An ended chat's transcript, sent to the action server to go on the case as a comment.

The gateway never talks to a case back end: it posts the transcript to the action server's
``POST /internal/chat-transcripts`` (``actions.kit.transcripts``) with ``INTERNAL_API_TOKEN``.
Best effort: a transcript the action server cannot take is logged, and stays in Amazon
Connect's own records of the contact, which is linked to the case.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx
from pydantic import SecretStr

from api.handoff.participant import ChatItem
from api.handoff.store import LiveChat

logger = logging.getLogger(__name__)

TRANSCRIPTS_PATH = "/internal/chat-transcripts"
#: what the action server takes at most, in characters; the latest lines are kept
MAX_TRANSCRIPT_CHARS = 200_000
_ROLES = {"CUSTOMER": "Customer", "AGENT": "Agent", "SYSTEM": "System"}


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

    async def __call__(self, chat: LiveChat, items: Sequence[ChatItem]) -> bool:
        """Send the chat's transcript for its case; whether the action server filed it."""
        text = transcript_text(items)
        if chat.case_ref is None or not text or self._token is None:
            return False
        body = {"case_ref": chat.case_ref, "contact_id": chat.contact_id, "transcript": text}
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}"}
        try:
            answer = await self._http.post(self._url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("chat transcript not sent: %s", type(exc).__name__)
            return False
        if answer.status_code != 204:
            logger.warning("chat transcript refused by the action server: %s", answer.status_code)
            return False
        return True
