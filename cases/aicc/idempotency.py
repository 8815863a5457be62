"""Idempotency key -> AICC caseId, in a small SQLite file, since AICC takes no client token.

A key is written as pending (with a digest of its draft) before the create is sent and gets
its caseId once AICC answers, so a retry finds the case instead of filing a second one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from common import sqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS aicc_idempotency (
    key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    case_id TEXT
)
"""


@dataclass(frozen=True)
class Submission:
    """What is known of a key: its draft's digest and the case, once created."""

    digest: str
    case_id: str | None


class IdempotencyStore:
    """Keys and the cases they made, kept across restarts in ``path`` (``:memory:`` for none)."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        self._db = sqlite.connect(path, shared=True)
        self._db.execute(_SCHEMA)

    def get(self, key: str) -> Submission | None:
        """The submission under ``key``, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT digest, case_id FROM aicc_idempotency WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else Submission(digest=row[0], case_id=row[1])

    def begin(self, key: str, digest: str) -> None:
        """Note that a create under ``key`` is about to be sent."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO aicc_idempotency (key, digest) VALUES (?, ?)", (key, digest)
            )

    def finish(self, key: str, case_id: str) -> None:
        """Record the case the create under ``key`` made."""
        with self._lock:
            self._db.execute(
                "UPDATE aicc_idempotency SET case_id = ? WHERE key = ?", (case_id, key)
            )

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()
