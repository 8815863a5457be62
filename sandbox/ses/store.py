"""What the SES stand-in sent, kept in memory for tests and for a person reading the codes."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any


def new_message_id() -> str:
    """A message id in the shape SES gives them."""
    return f"0100{uuid.uuid4().hex[:12]}-{uuid.uuid4()}-000000"


class SentMail:
    """The messages SendEmail accepted, oldest first; safe across the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[dict[str, Any]] = []

    def record(self, sender: str, to: list[str], message: dict[str, Any]) -> str:
        """Keep one accepted message; its message id."""
        message_id = new_message_id()
        body = message.get("Body") or {}
        entry = {
            "MessageId": message_id,
            "FromEmailAddress": sender,
            "To": to,
            "Subject": (message.get("Subject") or {}).get("Data", ""),
            "Text": (body.get("Text") or {}).get("Data"),
            "Html": (body.get("Html") or {}).get("Data"),
            "at": time.time(),
        }
        with self._lock:
            self._sent.append(entry)
        return message_id

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        """The messages accepted, all or those to ``to``."""
        with self._lock:
            kept = list(self._sent)
        if to is None:
            return kept
        wanted = to.strip().lower()
        return [entry for entry in kept if wanted in (a.lower() for a in entry["To"])]

    def reset(self) -> None:
        """Forget every message."""
        with self._lock:
            self._sent.clear()
