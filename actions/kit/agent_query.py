"""What an agent's request for a list of cases asks for, as one back-end search.

Agents ask the way agents do: "list cases", "show me the open cases", "which cases are high
priority?", "my cases on hold", "cases on the tier-2 queue", "opened today", "changed since
3 March", "oldest first". Each is read into the criteria of one ``CaseFilter`` (never a scan):
a status (open unless another is named, or "all"), a priority (the NLU's entity), the agent's
own cases, a queue, a time the cases were opened or changed since, and the order. Reading is a
pass over the words, so it costs time linear in the message.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from actions.kit.status import CLOSED, ON_HOLD, OPEN

#: the longest queue name read from a message
QUEUE_MAX = 64
_WORD = re.compile(r"[a-z0-9][a-z0-9'_.-]*")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CHANGED = frozenset({"changed", "updated", "modified", "touched", "edited"})
_MINE = (("assigned", "to", "me"), ("my",), ("mine",), ("i", "own"), ("i", "have"))
_ALL_STATUSES = (("all", "statuses"), ("any", "status"), ("every", "status"), ("all",))


def agent_query(
    text: str, priority: str | None, agent_id: str | None, now: datetime
) -> dict[str, Any] | None:
    """The search an agent's message asks for; ``None`` for "my cases" from an agent with no id.

    Values are JSON-friendly (times as ISO strings) so the query can wait in a slot for the
    next page.
    """
    words = _WORD.findall(text.lower()[:2_000])
    query: dict[str, Any] = {"status": _status(words)}
    if priority:
        query["priority"] = priority
    if _has_any(words, _MINE):
        if not agent_id:
            return None
        query["assigned_user"] = agent_id
    queue = _queue(words)
    if queue:
        query["assigned_queue"] = queue
    since = _since(words, now)
    if since is not None:
        key = "updated_after" if _CHANGED & set(words) else "created_after"
        query[key] = since.isoformat()
    if "oldest" in words or _has(words, ("oldest", "first")):
        query["newest_first"] = False
    return query


def describe(query: dict[str, Any]) -> str:
    """The list's heading: what the query asks for, in words."""
    status = query.get("status")
    named = {OPEN: "Open", CLOSED: "Closed", ON_HOLD: "On-hold"}.get(status or "", "All")
    priority = f" {query['priority']}-priority" if query.get("priority") else ""
    words = [f"{named}{priority} cases"]
    if query.get("assigned_user"):
        words.append("assigned to you")
    if query.get("assigned_queue"):
        words.append(f"on queue {query['assigned_queue']}")
    for key, verb in (("created_after", "opened"), ("updated_after", "changed")):
        if query.get(key):
            words.append(f"{verb} since {datetime.fromisoformat(query[key]):%d %b %Y}")
    if query.get("newest_first") is False:
        words.append("oldest first")
    return ", ".join(words)


def _status(words: list[str]) -> str | None:
    if _has(words, ("on", "hold")) or {"pending", "waiting", "paused"} & set(words):
        return ON_HOLD
    if {"closed", "resolved", "solved", "done"} & set(words):
        return CLOSED
    if "open" in words:
        return OPEN
    if _has_any(words, _ALL_STATUSES):
        return None
    # what an agent asking for "cases" wants to work on
    return OPEN


def _queue(words: list[str]) -> str | None:
    for at, word in enumerate(words):
        if word not in ("queue", "queues"):
            continue
        before = words[at - 1] if at > 0 else ""
        after = words[at + 1] if at + 1 < len(words) else ""
        # "on the tier-2 queue", "in queue tier-2", "queue: tier-2"
        if before and before not in ("the", "a", "on", "in", "my", "which", "what", "any"):
            return before[:QUEUE_MAX]
        if after and after not in ("the", "a", "and", "with", "for", "today", "since"):
            return after[:QUEUE_MAX]
    return None


def _since(words: list[str], now: datetime) -> datetime | None:
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for at, word in enumerate(words):
        rest = words[at + 1 : at + 4]
        if word == "today":
            return today
        if word == "yesterday":
            return today - timedelta(days=1)
        if word == "this" and rest[:1] == ["week"]:
            return today - timedelta(days=today.weekday())
        if word in ("last", "past") and len(rest) >= 2 and rest[0].isdigit():
            if rest[1] in ("days", "day"):
                return today - timedelta(days=min(int(rest[0]), 3660))
        if word in ("since", "from", "after"):
            found = _date(rest, today)
            if found is not None:
                return found
    return None


def _date(words: list[str], today: datetime) -> datetime | None:
    """A date at the start of ``words``: 2026-03-03, 3 march, march 3rd, monday, yesterday."""
    if not words:
        return None
    first = words[0]
    if first == "yesterday":
        return today - timedelta(days=1)
    if first == "today":
        return today
    if first in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS.index(first)) % 7 or 7
        return today - timedelta(days=back)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first):
        try:
            return datetime.fromisoformat(first).replace(tzinfo=UTC)
        except ValueError:
            return None
    day, month = _day_month(words[:2])
    if day is None or month is None:
        return None
    try:
        found = today.replace(month=month, day=day)
    except ValueError:
        return None
    # "since 20 December" said in March means last December
    return found if found <= today else found.replace(year=found.year - 1)


def _day_month(pair: list[str]) -> tuple[int | None, int | None]:
    day = month = None
    for word in pair:
        digits = word.rstrip("stndrh") if word[:1].isdigit() else ""
        if digits.isdigit() and 1 <= int(digits) <= 31:
            day = int(digits)
        elif word in _MONTHS:
            month = _MONTHS[word]
    return day, month


def _has(words: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[at : at + size]) == phrase for at in range(len(words) - size + 1))


def _has_any(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return any(_has(words, phrase) for phrase in phrases)
