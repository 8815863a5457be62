"""Inside a form, an answer read barely as a way out is the answer; a confident way out is not."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.changes import ValidateCommentForm
from actions.forms import ValidateCaseForm
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from tests.unit.actions.fakes import FakeCases, tracker

DOMAIN: dict[str, Any] = {
    "forms": {"case_form": {"required_slots": ["title", "description", "contact", "priority"]}},
    "slots": {},
}
ASKED = {"title": "Router drops", "description": "It drops every hour", "contact": "a@b.org"}


def answering(text: str, intent: str, confidence: float, *, after: str | None = None) -> Tracker:
    """A message answering "How urgent is it?", read as ``intent`` at ``confidence``."""
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "case_form"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
    ]
    if after:
        # a rule answered the message first, then the form went on
        events.append({"event": "action", "name": after})
    turn = tracker(
        text=text, intent=intent, slots={**ASKED, "requested_slot": "priority"}, events=events
    )
    turn.latest_message["intent"]["confidence"] = confidence
    turn.active_loop = {"name": "case_form"}
    return turn


async def validate(settings: ActionSettings, turn: Tracker) -> tuple[list[Any], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateCaseForm(FakeCases(), settings).run(dispatcher, turn, DOMAIN)
    return events, [m.get("response") for m in dispatcher.messages]


async def test_super_mega_read_as_asking_for_a_person_is_the_answer_to_how_urgent(
    settings: ActionSettings,
) -> None:
    """It used to end the form and hand the conversation over, the case never filed."""
    events, said = await validate(settings, answering("super mega", "request_human", 0.41))

    # taken as the answer: checked as a priority (and refused with why), the form goes on
    assert SlotSet("priority", None) in events
    assert said == ["utter_invalid_priority"]


async def test_an_answer_read_barely_as_cancel_fills_the_slot(settings: ActionSettings) -> None:
    events, said = await validate(settings, answering("not urgent at all", "cancel", 0.5))

    assert SlotSet("priority", "Low") in events
    assert said == []


@pytest.mark.parametrize(("intent", "confidence"), [("request_human", 0.97), ("cancel", 0.9)])
async def test_a_confident_way_out_is_left_to_the_rules(
    settings: ActionSettings, intent: str, confidence: float
) -> None:
    events, _ = await validate(settings, answering("get me a human", intent, confidence))

    assert not [e for e in events if e.get("name") == "priority"]


async def test_a_message_a_rule_already_answered_is_not_also_the_answer(
    settings: ActionSettings,
) -> None:
    turn = answering("status of C-1042", "check_case_status", 0.4, after="action_check_case_status")

    events, _ = await validate(settings, turn)

    assert not [e for e in events if e.get("name") == "priority"]


async def test_the_threshold_is_the_configured_one(settings: ActionSettings) -> None:
    strict = settings.model_copy(update={"form_exit_confidence": 0.3})

    events, _ = await validate(strict, answering("super mega", "request_human", 0.41))

    assert not [e for e in events if e.get("name") == "priority"]


async def test_a_comment_read_barely_as_another_request_is_the_comment() -> None:
    text = "the cases they sent me were the wrong size"
    turn = tracker(
        text=text,
        intent="list_cases",
        slots={"requested_slot": "comment_text"},
        events=[{"event": "action", "name": "comment_form"}, {"event": "user", "text": text}],
    )
    turn.latest_message["intent"]["confidence"] = 0.45

    slots = await ValidateCommentForm().extract_comment_text(CollectingDispatcher(), turn, {})

    assert slots == {"comment_text": text}
