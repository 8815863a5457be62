"""The places the erase command looks in, as its tests give them: files in one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from privacy.places import Places


def places_in(folder: Path, **changes: Any) -> Places:
    """Every file the command reads under ``folder`` (none made here), no tracker, no media and
    no Redis, with ``changes`` over them."""
    found: dict[str, Any] = {
        "tracker": None,
        "media_dirs": (),
        "whatsapp_db": folder / "whatsapp-queue.sqlite3",
        "twilio_db": folder / "twilio-queue.sqlite3",
        "proactive_db": folder / "proactive-queue.sqlite3",
        "notice_db": folder / "notice-queue.sqlite3",
        "redis_url": None,
        "outbox_db": folder / "outbox.sqlite3",
        "aicc_idempotency_db": folder / "aicc.sqlite3",
    }
    return Places(**(found | changes))
