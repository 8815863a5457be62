"""What the latest message says: its intent, its entities, a field it asks to change, and its
whole text.

The gateway sends Rasa only the start of a very long message (``RASA_MAX_MESSAGE_CHARS``) and
the whole text beside it as the metadata key ``full_text``; Rasa fills a slot from what it
read, so what a user wrote at length (a description) is taken whole from there. Only the
gateway sets top-level metadata keys, and the whole text is believed only when it begins with
what Rasa read.
"""

from __future__ import annotations

import re

from actions.kit.sdk import Tracker

#: "change the title to ...": the field named and, in ``value``, all that follows
TEXT_FIELD = re.compile(
    r"\b(?P<field>title|subject|description)\b\s*(?:to be|to|:|=|as|is)\s*(?P<value>.+)$",
    re.IGNORECASE | re.DOTALL,
)


#: the metadata key of a long message's whole text (the gateway's ``api.rasa.FULL_TEXT_KEY``)
FULL_TEXT = "full_text"


def latest_text(tracker: Tracker) -> str:
    """The latest message's text, whole even when Rasa was sent only its start."""
    said = tracker.latest_message.get("text") or ""
    metadata = tracker.latest_message.get("metadata")
    whole = metadata.get(FULL_TEXT) if isinstance(metadata, dict) else None
    # Rasa strips the text it is sent, so the start it read is compared stripped
    if isinstance(whole, str) and isinstance(said, str) and whole.strip().startswith(said.strip()):
        return whole
    return said if isinstance(said, str) else ""


def whole_answer(tracker: Tracker, value: object) -> object:
    """``value``, a slot Rasa filled from the latest message's text, with that text whole."""
    said = tracker.latest_message.get("text")
    if isinstance(value, str) and isinstance(said, str) and value.strip() == said.strip():
        return latest_text(tracker)
    return value


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
    # "change the description to: ..." keeps no colon
    return field, said["value"].strip().lstrip(":=-").strip().strip("\"'")
