"""The case back ends' Prometheus metrics (served by the process that calls the back end)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

BACKEND_CALL_SECONDS = Histogram(
    "casebot_backend_call_seconds",
    "Time of one call to the case back end",
    ["backend", "operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BACKEND_ERRORS = Counter(
    "casebot_backend_errors", "Failed calls to the case back end", ["backend", "operation", "kind"]
)
