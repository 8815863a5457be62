"""The action server's Prometheus metrics (served at ``/metrics`` on the action server).

The case back ends count their own calls (``cases.metrics``); the same registry serves both.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

CASES_CREATED = Counter("casebot_cases_created", "Cases created while the user waited")
CASES_QUEUED = Counter("casebot_cases_queued", "Cases kept in the outbox for the back end")
CASES_FILED_FROM_OUTBOX = Counter(
    "casebot_cases_filed_from_outbox", "Queued cases the back end took later"
)
CASES_FAILED = Counter(
    "casebot_cases_failed", "Cases that could not be created or queued", ["reason"]
)
OUTBOX_DEPTH = Gauge("casebot_outbox_depth", "Cases waiting in the outbox for the back end")
SATISFACTION_RATINGS = Counter(
    "casebot_satisfaction_ratings",
    "Ratings from 1 to 5 customers gave a closed case, by score and case back end",
    ["score", "backend"],
)
