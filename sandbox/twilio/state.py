"""What the Twilio stand-in holds in memory: messages it was sent, media, failures to come."""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any


def new_sid(prefix: str) -> str:
    """A SID in Twilio's shape: two letters and 32 hex digits."""
    return prefix + uuid.uuid4().hex


@dataclass(frozen=True)
class StoredMedia:
    """A file a user "sent", downloadable under its message and media SIDs."""

    message_sid: str
    sid: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Failure:
    """How the next send fails: HTTP status, Twilio error code and message."""

    status: int
    code: int
    message: str


@dataclass
class TwilioState:
    """Everything the stand-in remembers between calls."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, StoredMedia] = field(default_factory=dict)
    failures: deque[Failure] = field(default_factory=deque)

    def add_media(self, content: bytes, content_type: str) -> StoredMedia:
        """Keep a file under fresh message and media SIDs."""
        stored = StoredMedia(new_sid("MM"), new_sid("ME"), content, content_type)
        self.media[stored.sid] = stored
        return stored

    def fail_next(self, failure: Failure, count: int) -> None:
        """Make the next ``count`` sends fail."""
        self.failures.extend([failure] * count)

    def record(
        self, account_sid: str, fields: dict[str, str], error: Failure | None
    ) -> dict[str, Any]:
        """Remember one send and what the stand-in answered."""
        entry: dict[str, Any] = {
            "account_sid": account_sid,
            "sid": None if error else new_sid("SM"),
            "from": fields.get("From"),
            "to": fields.get("To"),
            "body": fields.get("Body", ""),
            "media_url": fields.get("MediaUrl"),
            "error_code": error.code if error else None,
            "at": time.time(),
        }
        self.sent.append(entry)
        return entry

    def reset(self) -> None:
        """Forget sent messages and planned failures; media stays."""
        self.sent.clear()
        self.failures.clear()
