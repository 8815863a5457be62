"""What the stand-in holds in memory: messages it was sent, media, failures to come, and the
templates it holds approved."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sandbox.whatsapp.errors import GraphApiError
from sandbox.whatsapp.templates import DEFAULT_AUTH_TEMPLATES, Approved, auth_templates


@dataclass(frozen=True)
class StoredMedia:
    """A file a user "sent", downloadable by its media id."""

    id: str
    content: bytes
    mime_type: str
    sha256: str


def new_wamid() -> str:
    """A message id in the shape WhatsApp gives them."""
    return "wamid." + base64.b64encode(uuid.uuid4().bytes * 2).decode()


@dataclass
class GraphState:
    """Everything the stand-in remembers between calls."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, StoredMedia] = field(default_factory=dict)
    failures: deque[GraphApiError] = field(default_factory=deque)
    #: the authentication templates sends are checked against, by name
    templates: dict[str, Approved] = field(
        default_factory=lambda: auth_templates(DEFAULT_AUTH_TEMPLATES)
    )

    def add_media(self, content: bytes, mime_type: str, media_id: str | None = None) -> StoredMedia:
        """Keep a file under ``media_id`` (a fresh numeric id when ``None``)."""
        media_id = media_id or str(uuid.uuid4().int)[:16]
        stored = StoredMedia(media_id, content, mime_type, hashlib.sha256(content).hexdigest())
        self.media[media_id] = stored
        return stored

    def fail_next(self, error: GraphApiError, count: int) -> None:
        """Make the next ``count`` message sends fail with ``error``."""
        self.failures.extend([error] * count)

    def record(
        self, version: str, phone_number_id: str, body: Any, error: GraphApiError | None
    ) -> dict[str, Any]:
        """Remember one message send and what the stand-in answered."""
        entry: dict[str, Any] = {
            "version": version,
            "phone_number_id": phone_number_id,
            "body": body,
            "wamid": None if error else new_wamid(),
            "error_code": error.code if error else None,
            "at": time.time(),
        }
        self.sent.append(entry)
        return entry

    def reset(self) -> None:
        """Forget sent messages and planned failures; media stays."""
        self.sent.clear()
        self.failures.clear()
