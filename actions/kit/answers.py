"""A form's answer that the NLU read, barely, as a way out of the form.

The slot mappings take nothing from a message read as a way out (a person, cancel, another
request), so the form rejects it and the rules end the form. But "super mega" answering "How
urgent is it?" read as ``request_human`` at 0.41 would then hand the conversation to a person
and drop the case being filled in. So the forms' validation actions, which run before any rule,
take such a message as the answer when its confidence is below ``FORM_EXIT_CONFIDENCE``; a
confident way out is left to the rules.
"""

from __future__ import annotations

from typing import Any

from actions.kit.message import intent_name, latest_text
from actions.kit.sdk import Tracker

#: the intents that end a form when they are meant (bot/data/rules.yml)
WAYS_OUT = frozenset(
    {
        "request_human",
        "cancel",
        "check_case_status",
        "list_cases",
        "open_case",
        "close_case",
        "update_case",
    }
)
#: actions that run between a message and a form's validation when the form just goes on
_FORM_STEPS = frozenset({"action_listen", "action_extract_slots"})


def kept_answer(tracker: Tracker, slot: str, confident: float) -> str | None:
    """The latest message, whole, when it answers ``slot`` though read, below ``confident``,
    as a way out.

    Only when the form runs straight after the message: after a rule has answered it (a
    status question inside the form, say) the message was no answer.
    """
    if tracker.get_slot("requested_slot") != slot or intent_name(tracker) not in WAYS_OUT:
        return None
    if _confidence(tracker.latest_message) >= confident:
        return None
    if slot in tracker.slots_to_validate() or not _straight_after_message(tracker.events):
        return None
    said = latest_text(tracker).strip()
    return said or None


def _confidence(message: dict[str, Any]) -> float:
    intent = message.get("intent")
    value = intent.get("confidence") if isinstance(intent, dict) else None
    # an intent typed as "/request_human" comes with confidence 1: it is meant
    return float(value) if isinstance(value, int | float) else 1.0


def _straight_after_message(events: list[dict[str, Any]]) -> bool:
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action" and not _form_step(str(event.get("name"))):
            return False
    return False


def _form_step(name: str) -> bool:
    return name in _FORM_STEPS or name.endswith("_form")
