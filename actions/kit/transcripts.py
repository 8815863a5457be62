"""The transcript of a live chat with a person, put on its case when the chat ends.

The gateway relays the chat and so holds its transcript; the action server owns the cases. So
the gateway posts it here: ``POST /internal/chat-transcripts`` with ``Authorization: Bearer
<INTERNAL_API_TOKEN>`` (the token shared for the internal endpoints; unset turns this one off,
404) and ``{"case_ref", "contact_id", "transcript"}``. The case gets one comment (more when it
is longer than a comment holds); a transcript sent again for the same chat is not added twice.
Answers: 204 filed, 401 wrong token, 404 off or no such case, 422 a body that does not fit,
503 the back end or the key store cannot take it now (the gateway may try again).

"Once per chat" holds across action servers and restarts: the chat's contact id is a key in the
action servers' idempotency store (the one that keeps AICC's create keys: a SQLite file, or
PostgreSQL with ``ACTIONS_DATABASE_URL``), noted before the comment is added and marked done
after. A retry that lands on another server, or after a restart, finds the key done and adds
nothing. A key noted but never marked (a server that died between the two) is filed again:
a transcript twice is better than none.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from cases.aicc.idempotency import IdempotencyStore
from cases.backend import BackendError, CaseBackend, CaseNotFound, InvalidCase

logger = logging.getLogger(__name__)

TRANSCRIPTS_PATH = "/internal/chat-transcripts"
#: the longest transcript taken, in characters: a 25-hour chat of 16 KB messages is not a case note
MAX_TRANSCRIPT_CHARS = 200_000
HEADING = "Chat with our team"
#: the prefix of a chat's key in the idempotency store, apart from the AICC create keys
KEY_PREFIX = "chat-transcript:"


class ChatTranscript(BaseModel):
    """What the gateway posts when a live chat ends."""

    model_config = ConfigDict(extra="forbid")

    case_ref: str = Field(min_length=1, max_length=64)
    contact_id: str = Field(min_length=1, max_length=256)
    transcript: str = Field(min_length=1, max_length=MAX_TRANSCRIPT_CHARS)


class TranscriptFiler:
    """Puts the transcripts of ended chats on their cases, once per chat."""

    def __init__(
        self,
        backend: Callable[[], CaseBackend],
        token: SecretStr | None,
        keys: Callable[[], IdempotencyStore],
    ) -> None:
        self._backend = backend
        self._token = token
        self._keys = keys

    async def handle(self, authorization: str | None, body: Any) -> tuple[int, dict[str, str]]:
        """The status and JSON body answering one post."""
        if self._token is None:
            return 404, {"error": "not found"}
        expected = f"Bearer {self._token.get_secret_value()}".encode()
        if not hmac.compare_digest((authorization or "").encode(), expected):
            return 401, {"error": "unauthorized"}
        try:
            posted = ChatTranscript.model_validate(body)
        except ValidationError:
            return 422, {"error": "a chat transcript is case_ref, contact_id and transcript"}
        key = KEY_PREFIX + posted.contact_id
        text = f"{HEADING} (contact {posted.contact_id}):\n{posted.transcript}"
        digest = hashlib.sha256(text.encode()).hexdigest()
        try:
            keys = self._keys()
            noted = await asyncio.to_thread(keys.get, key)
            if noted is not None and noted.case_id is not None:
                return 204, {}
            await asyncio.to_thread(keys.begin, key, digest)
            await self._backend().add_comment(posted.case_ref, text)
        except (CaseNotFound, InvalidCase) as exc:
            logger.warning("chat transcript not filed: %s", type(exc).__name__)
            return 404, {"error": "no such case"}
        except BackendError as exc:
            logger.warning("chat transcript not filed yet: %s", type(exc).__name__)
            return 503, {"error": "the case system cannot take it now"}
        try:
            await asyncio.to_thread(keys.finish, key, posted.case_ref)
        except BackendError as exc:
            # it is on the case: a retry told 503 would file it a second time
            logger.warning("chat transcript filed, key not marked: %s", type(exc).__name__)
        return 204, {}
