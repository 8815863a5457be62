"""The action server's Prometheus metrics (served at ``/metrics`` on the action server)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CASES_CREATED = Counter("casebot_cases_created", "Cases created while the user waited")
CASES_QUEUED = Counter("casebot_cases_queued", "Cases kept in the outbox for the back end")
CASES_FILED_FROM_OUTBOX = Counter(
    "casebot_cases_filed_from_outbox", "Queued cases the back end took later"
)
CASES_FAILED = Counter(
    "casebot_cases_failed", "Cases that could not be created or queued", ["reason"]
)
BACKEND_CALL_SECONDS = Histogram(
    "casebot_backend_call_seconds",
    "Time of one call to the case back end",
    ["backend", "operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BACKEND_ERRORS = Counter(
    "casebot_backend_errors", "Failed calls to the case back end", ["backend", "operation", "kind"]
)
OUTBOX_DEPTH = Gauge("casebot_outbox_depth", "Cases waiting in the outbox for the back end")
