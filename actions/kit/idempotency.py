"""The idempotency key of one case submission.

sha256 over the conversation, the start of the case-form run the case came from, and the
draft as canonical JSON. Saying "yes" again after a failure sends the same key, so the back
end answers with the case it may already have made; a new run or other values make a new key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from actions.kit.slots import CASE_FORM, CONFIRMED
from cases.backend import CaseDraft

KEY_LENGTH = 64


def form_run_started_at(events: Iterable[Mapping[str, Any]], form: str = CASE_FORM) -> float | None:
    """When the current run of ``form`` began: its first activation since a case was finished.

    A run ends when ``confirmed`` is cleared (case created, declined or cancelled), so
    re-activating the form to retry a failed submission keeps the run's first timestamp.
    """
    started: float | None = None
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "slot" and event.get("name") == CONFIRMED and event.get("value") is None:
            break
        if kind == "active_loop" and event.get("name") == form:
            timestamp = event.get("timestamp")
            started = float(timestamp) if isinstance(timestamp, int | float) else None
    return started


def case_idempotency_key(sender_id: str, started_at: float | None, draft: CaseDraft) -> str:
    """Hex sha256 of the conversation, the run's start and the draft, at most 64 characters."""
    canonical = json.dumps(
        draft.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    material = json.dumps(
        [sender_id, started_at, canonical], separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:KEY_LENGTH]
