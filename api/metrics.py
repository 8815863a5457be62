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
LIVE_CHAT_RELAY_SECONDS = Histogram(
    "casebot_live_chat_relay_seconds",
    "Time the gateway itself takes to pass on one live chat message (the Connect Participant "
    "Service's answers left out): to_customer from the agent's frame until the customer's "
    "channel took it (WhatsApp's and Twilio's answers included), to_agent from the "
    "customer's message to its SendMessage",
    ["direction"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)
