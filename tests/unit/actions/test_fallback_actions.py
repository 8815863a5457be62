from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from actions.fallback import ActionHandleFallback, consecutive_fallbacks
from actions.kit.sdk import CollectingDispatcher
from tests.unit.actions.fakes import responses, tracker


def said(intent: str) -> dict[str, Any]:
    return UserUttered("...", {"intent": {"name": intent}})


FALLBACK = "action_handle_fallback"


def answered(intent: str, action: str | None) -> list[dict[str, Any]]:
    """A user message and, unless ``action`` is None (the turn being answered), its answer."""
    if action is None:
        return [said(intent)]
    return [
        said(intent),
        ActionExecuted(action),
        BotUttered("..."),
        ActionExecuted("action_listen"),
    ]


def between() -> list[dict[str, Any]]:
    return [ActionExecuted(FALLBACK), BotUttered("Sorry?"), ActionExecuted("action_listen")]


@pytest.mark.parametrize(
    ("turns", "count"),
    [
        ([("nlu_fallback", None)], 1),
        ([("greet", "utter_greet"), ("nlu_fallback", FALLBACK), ("nlu_fallback", None)], 2),
        ([("nlu_fallback", FALLBACK), ("greet", "utter_greet"), ("nlu_fallback", None)], 1),
        ([("nlu_fallback", FALLBACK), ("nlu_fallback", FALLBACK), ("thank", "utter_welcome")], 0),
        # understood, but nothing to do with it: the rule policy fell back to the same action
        ([("inform", FALLBACK), ("inform", None)], 2),
        ([("inform", FALLBACK), ("nlu_fallback", FALLBACK)], 2),
        # the form took a low-confidence message as an answer
        ([("nlu_fallback", "case_form"), ("nlu_fallback", None)], 1),
        ([], 0),
    ],
)
def test_only_misunderstood_messages_in_a_row_count(
    turns: list[tuple[str, str | None]], count: int
) -> None:
    events = [event for intent, action in turns for event in answered(intent, action)]

    assert consecutive_fallbacks(events) == count


async def test_first_misunderstanding_asks_to_rephrase() -> None:
    dispatcher = CollectingDispatcher()

    events = await ActionHandleFallback().run(
        dispatcher, tracker(events=[said("nlu_fallback")]), {}
    )

    assert responses(dispatcher.messages) == ["utter_ask_rephrase"]
    assert events == [SlotSet("fallback_count", 1)]


async def test_second_misunderstanding_in_a_row_offers_a_person() -> None:
    history = [said("nlu_fallback"), *between(), said("nlu_fallback")]
    dispatcher = CollectingDispatcher()

    events = await ActionHandleFallback().run(dispatcher, tracker(events=history), {})

    assert responses(dispatcher.messages) == ["utter_offer_human"]
    assert events == [SlotSet("fallback_count", 2)]


async def test_an_understood_message_in_between_starts_the_count_again() -> None:
    history = [
        *answered("nlu_fallback", FALLBACK),
        *answered("greet", "utter_greet"),
        *answered("nlu_fallback", None),
    ]
    dispatcher = CollectingDispatcher()

    await ActionHandleFallback().run(dispatcher, tracker(events=history), {})

    assert responses(dispatcher.messages) == ["utter_ask_rephrase"]
