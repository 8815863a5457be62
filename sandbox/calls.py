"""Counts of the API calls each stand-in has served, for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter


class CallCounter:
    """Thread-safe per-service, per-operation call counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {}

    def register(self, service: str) -> None:
        """Make ``service`` appear in snapshots even before its first call."""
        with self._lock:
            self._counts.setdefault(service, Counter())

    def record(self, service: str, operation: str) -> None:
        """Count one call of ``operation`` on ``service``."""
        with self._lock:
            self._counts.setdefault(service, Counter())[operation] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        """Return a copy of the counts: ``{service: {operation: count}}``."""
        with self._lock:
            return {service: dict(sorted(ops.items())) for service, ops in self._counts.items()}

    def reset(self) -> None:
        """Forget every count, keeping the registered services."""
        with self._lock:
            for ops in self._counts.values():
                ops.clear()
