"""Case statuses: the ones an agent may set, and how a person says each."""

from __future__ import annotations

OPEN = "open"
CLOSED = "closed"
#: statuses an agent may set (the Connect Cases statuses)
STATUSES = (OPEN, "pending", CLOSED)

STATUS_WORDS = {
    OPEN: "open, and our team is on it",
    "pending": "waiting for a reply",
    CLOSED: "closed",
}


def status_words(status: str) -> str:
    """A case status as a person would say it."""
    key = status.strip().lower()
    return STATUS_WORDS.get(key, key.replace("_", " ") or "unknown")
