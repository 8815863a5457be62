"""Case statuses: the ones the assistant knows, and how a person says each.

Which of them a case can be given is the tenant's: ``CaseTemplate.statuses`` (Connect Cases
has "on hold" only where the domain has a field for it; AICC where the case type's flow has
the status the case type maps it to).
"""

from __future__ import annotations

from cases.backend import CLOSED, ON_HOLD, OPEN

__all__ = ["CLOSED", "ON_HOLD", "OPEN", "STATUSES", "STATUS_WORDS", "status_list", "status_words"]

#: every status the assistant can name; a tenant offers some of them
STATUSES = (OPEN, ON_HOLD, CLOSED)

STATUS_WORDS = {
    OPEN: "open, and our team is on it",
    ON_HOLD: "waiting for a reply",
    CLOSED: "closed",
}
#: a status as a choice is named
_NAMES = {OPEN: "open", ON_HOLD: "on hold", CLOSED: "closed"}


def status_words(status: str) -> str:
    """A case status as a person would say it."""
    key = status.strip().lower()
    return STATUS_WORDS.get(key, key.replace("_", " ") or "unknown")


def status_list(statuses: tuple[str, ...]) -> str:
    """Statuses named as choices: "open, on hold or closed"."""
    names = [_NAMES.get(status, status) for status in statuses]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
