from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from actions.fallback import ActionHandleFallback, consecutive_fallbacks
from actions.sdk import CollectingDispatcher
from tests.unit.actions.fakes import responses, tracker


def said(intent: str) -> dict[str, Any]:
    return UserUttered("...", {"intent": {"name": intent}})


def between() -> list[dict[str, Any]]:
    return [
        ActionExecuted("action_handle_fallback"),
        BotUttered("Sorry?"),
        ActionExecuted("action_listen"),
    ]


@pytest.mark.parametrize(
    ("intents", "count"),
    [
        (["nlu_fallback"], 1),
        (["greet", "nlu_fallback", "nlu_fallback"], 2),
        (["nlu_fallback", "greet", "nlu_fallback"], 1),
        (["nlu_fallback", "nlu_fallback", "thank"], 0),
        ([], 0),
    ],
)
def test_only_misunderstood_messages_in_a_row_count(intents: list[str], count: int) -> None:
    events = [event for intent in intents for event in [said(intent), *between()]]

    assert consecutive_fallbacks(events) == count


def test_a_low_confidence_answer_the_form_took_does_not_count() -> None:
    form_took_it = [
        said("nlu_fallback"),
        ActionExecuted("case_form"),
        ActionExecuted("action_listen"),
    ]

    assert consecutive_fallbacks([*form_took_it, said("nlu_fallback")]) == 1


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
    history = [said("nlu_fallback"), *between(), said("greet"), *between(), said("nlu_fallback")]
    dispatcher = CollectingDispatcher()

    await ActionHandleFallback().run(dispatcher, tracker(events=history), {})

    assert responses(dispatcher.messages) == ["utter_ask_rephrase"]
