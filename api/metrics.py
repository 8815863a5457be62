"""The gateway's Prometheus metrics, served at ``GET /metrics``.

Process-wide, as Prometheus clients are: one gateway process is one scrape target.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES_IN = Counter(
    "casebot_messages_in", "User messages the gateway passed to the assistant", ["channel"]
)
MESSAGES_OUT = Counter("casebot_messages_out", "Bot messages the gateway sent back", ["channel"])
TURN_SECONDS = Histogram(
    "casebot_turn_seconds",
    "Time from a user message reaching the gateway to the assistant's answer",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
TURN_FAILURES = Counter(
    "casebot_turn_failures",
    "User messages the assistant could not answer, by reason",
    ["channel", "reason"],
)
