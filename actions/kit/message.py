"""What the latest message says: its intent, its entities, a field it asks to change."""

from __future__ import annotations

import re

from actions.kit.sdk import Tracker

#: "change the title to ...": the field named and, in ``value``, all that follows
TEXT_FIELD = re.compile(
    r"\b(?P<field>title|subject|description)\b\s*(?:to be|to|:|=|as|is)\s*(?P<value>.+)$",
    re.IGNORECASE | re.DOTALL,
)


def intent_name(tracker: Tracker) -> object:
    """The name of the latest message's intent (``None`` when it has none)."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def entity_values(tracker: Tracker) -> dict[str, str]:
    """The latest message's entities by name (the first of each), as non-blank text."""
    values: dict[str, str] = {}
    for found in tracker.latest_message.get("entities") or []:
        name, value = found.get("entity"), found.get("value")
        if isinstance(name, str) and isinstance(value, str) and value.strip():
            values.setdefault(name, value.strip())
    return values


def text_field_change(text: str) -> tuple[str, str] | None:
    """``("title"|"description", new value)`` when ``text`` says "change the title to ..."."""
    said = TEXT_FIELD.search(text)
    if not said:
        return None
    field = "description" if said["field"].lower() == "description" else "title"
    return field, said["value"].strip().strip("\"'")
