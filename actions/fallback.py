"""Answering a message the assistant did not understand.

A message is not understood when NLU is not confident of it (``nlu_fallback``) or when it was
understood but nothing in the conversation says what to do with it (Rasa's rule policy falls
back to this same action). The first time, the user is asked to say it another way, with
buttons for the main things the assistant does; the second time in a row, a person is offered.
"In a row" is counted from the conversation itself, so any message answered otherwise in
between starts the count again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from actions.kit.sdk import Action, CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.slots import FALLBACK_COUNT

ACTION_NAME = "action_handle_fallback"
#: misunderstood messages in a row after which a person is offered
OFFER_HUMAN_AFTER = 2


def consecutive_fallbacks(events: Iterable[dict[str, Any]]) -> int:
    """How many of the latest user messages, in a row, were not understood.

    The latest message counts while it is still unanswered (this action is answering it) or
    when this action answered it; an earlier one only when this action answered it, since a
    form takes a low-confidence message as an answer ("Printer jammed" as a title) and that
    one was understood well enough.
    """
    history = list(events)
    turns = [i for i, event in enumerate(history) if event.get("event") == "user"]
    count = 0
    for position, index in enumerate(reversed(turns)):
        answer = _answer(history, index)
        if answer != ACTION_NAME and not (position == 0 and answer is None):
            break
        count += 1
    return count


def _answer(history: list[dict[str, Any]], index: int) -> str | None:
    """The first action run after the user message at ``index`` (listening aside)."""
    for event in history[index + 1 :]:
        if event.get("event") == "action" and event.get("name") != "action_listen":
            name = event.get("name")
            return name if isinstance(name, str) else None
    return None


class ActionHandleFallback(Action):
    """Asks to rephrase, or offers a person after misunderstanding twice in a row."""

    def name(self) -> str:
        """The action's name in the domain."""
        return ACTION_NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the rephrase question or the offer of a person; keep the count in a slot."""
        count = consecutive_fallbacks(tracker.events)
        if count >= OFFER_HUMAN_AFTER:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return [SlotSet(FALLBACK_COUNT, count)]
