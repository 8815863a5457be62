"""Agents' requests for lists, read into one search each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from actions.kit.agent_query import agent_query, describe

NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)  # a Wednesday
AGENT = "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/agent-7"


def read(text: str, priority: str | None = None, agent: str | None = AGENT) -> dict[str, object]:
    query = agent_query(text, priority, agent, NOW)
    assert query is not None
    return query


@pytest.mark.parametrize(
    ("said", "wanted"),
    [
        # the ones that used to answer "No cases match that."
        ("list cases", {"status": "open"}),
        ("show me the open cases", {"status": "open"}),
        ("which cases are high priority?", {"status": "open"}),
        ("closed cases", {"status": "closed"}),
        ("anything on hold?", {"status": "pending"}),
        ("cases waiting on the customer", {"status": "pending"}),
        ("all cases, any status", {"status": None}),
        ("my cases", {"status": "open", "assigned_user": AGENT}),
        ("whats assigned to me", {"status": "open", "assigned_user": AGENT}),
        ("cases on the tier-2 queue", {"status": "open", "assigned_queue": "tier-2"}),
        ("open cases in queue billing", {"status": "open", "assigned_queue": "billing"}),
        ("cases opened today", {"status": "open", "created_after": "2026-03-11T00:00:00+00:00"}),
        ("new cases since yesterday", {"created_after": "2026-03-10T00:00:00+00:00"}),
        ("cases changed today", {"updated_after": "2026-03-11T00:00:00+00:00"}),
        ("cases since 3 march", {"created_after": "2026-03-03T00:00:00+00:00"}),
        ("cases since March 3rd", {"created_after": "2026-03-03T00:00:00+00:00"}),
        ("cases since 2026-02-14", {"created_after": "2026-02-14T00:00:00+00:00"}),
        ("cases since monday", {"created_after": "2026-03-09T00:00:00+00:00"}),
        ("cases from the last 7 days", {"created_after": "2026-03-04T00:00:00+00:00"}),
        ("cases since 20 december", {"created_after": "2025-12-20T00:00:00+00:00"}),
        ("open cases oldest first", {"newest_first": False}),
    ],
)
def test_what_an_agent_says_is_read_into_one_search(said: str, wanted: dict[str, object]) -> None:
    query = read(said)

    assert {key: query.get(key) for key in wanted} == wanted


def test_the_priority_comes_from_the_nlu_entity() -> None:
    assert read("which cases are high priority?", "High")["priority"] == "High"


def test_my_cases_from_an_agent_with_no_id_cannot_be_searched() -> None:
    assert agent_query("my cases", None, None, NOW) is None
    assert agent_query("open cases", None, None, NOW) == {"status": "open"}


def test_the_heading_says_what_was_asked() -> None:
    query = read("my cases on the tier-2 queue changed since monday, oldest first", "High")

    assert describe(query) == (
        "Open High-priority cases, assigned to you, on queue tier-2, changed since 09 Mar 2026, "
        "oldest first"
    )


def test_only_the_start_of_a_long_message_is_read() -> None:
    """A request for a list is short: reading stops at 2,000 characters, whatever follows."""
    assert read("closed " + "x " * 996)["status"] == "closed"
    assert read("x " * 1000 + "closed")["status"] == "open"
