from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.events import ActionExecuted, BotUttered, ConversationPaused, SlotSet, UserUttered

from actions.handoff import TRANSCRIPT_TURNS, ActionRequestHuman, transcript
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from cases.backend import Actor, BackendUnavailable
from tests.unit.actions.fakes import ANN_PHONE, FakeCases, entity, responses, tracker, whatsapp

# the turn ends listening, so the first message after a resume starts a fresh turn
PAUSED = [ActionExecuted("action_listen"), ConversationPaused()]
CHAT = [
    UserUttered("hi", {"intent": {"name": "greet"}}),
    BotUttered("Hi! I'm casebot."),
    UserUttered("my   parcel\nis lost", {"intent": {"name": "open_case"}}),
    BotUttered("Let's open a case."),
    UserUttered("a person please", {"intent": {"name": "request_human"}}),
]


@pytest.fixture
def cases() -> FakeCases:
    cases = FakeCases()
    cases.add("10000001", contact=ANN_PHONE, age=timedelta(days=2))
    cases.add("10000005", contact="bob@example.com")
    return cases


@pytest.fixture
def queued(settings: ActionSettings) -> ActionSettings:
    return settings.model_copy(update={"handoff_queue": "tier-2"})


async def hand_over(
    cases: FakeCases, settings: ActionSettings, t: Tracker
) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHuman(cases, settings).run(dispatcher, t, {})
    return events, dispatcher.messages


def test_transcript_is_plain_text_of_both_sides() -> None:
    assert transcript(CHAT) == "\n".join(
        [
            "Customer: hi",
            "casebot: Hi! I'm casebot.",
            "Customer: my parcel is lost",
            "casebot: Let's open a case.",
            "Customer: a person please",
        ]
    )


def test_transcript_keeps_only_the_latest_turns() -> None:
    events = []
    for n in range(TRANSCRIPT_TURNS + 10):
        events += [UserUttered(f"message {n}"), BotUttered(f"reply {n}")]

    lines = transcript(events).splitlines()

    assert len(lines) == 2 * TRANSCRIPT_TURNS
    assert lines[0] == "Customer: message 10"
    assert lines[-1] == f"casebot: reply {TRANSCRIPT_TURNS + 9}"


async def test_case_opened_here_goes_to_the_queue_with_the_chat_and_the_bot_pauses(
    cases: FakeCases, queued: ActionSettings
) -> None:
    t = tracker(metadata=whatsapp(), slots={"opened_cases": ["10000001"]}, events=CHAT)

    events, messages = await hand_over(cases, queued, t)

    actor = Actor(channel="whatsapp", conversation_id="webchat:abc")
    assert cases.updates == [("10000001", {"assigned_queue": "tier-2"}, actor)]
    [(ref, comment, by)] = cases.comments
    assert (ref, by) == ("10000001", actor)
    assert comment.startswith("Chat before handoff:\nCustomer: hi\n")
    assert responses(messages) == ["utter_handoff_case"]
    assert events == [SlotSet("case_ref", "10000001#id-10000001"), *PAUSED]


async def test_the_case_being_talked_about_is_preferred(
    cases: FakeCases, queued: ActionSettings
) -> None:
    cases.add("10000002", contact=ANN_PHONE)
    t = tracker(
        metadata=whatsapp(),
        entities=[entity("case_ref", "10000002")],
        slots={"opened_cases": ["10000001"]},
    )

    await hand_over(cases, queued, t)

    assert [ref for ref, _, _ in cases.updates] == ["10000002"]


async def test_someone_elses_case_is_never_touched(
    cases: FakeCases, queued: ActionSettings
) -> None:
    t = tracker(metadata=whatsapp(), entities=[entity("case_ref", "10000005")])

    events, messages = await hand_over(cases, queued, t)

    assert cases.updates == [] and cases.comments == []
    assert responses(messages) == ["utter_handoff_no_case"]
    assert events == PAUSED


async def test_without_any_case_a_person_is_still_promised_and_the_bot_pauses(
    cases: FakeCases, queued: ActionSettings
) -> None:
    events, messages = await hand_over(cases, queued, tracker(metadata=whatsapp()))

    assert responses(messages) == ["utter_handoff_no_case"]
    assert events == PAUSED


async def test_back_end_down_still_pauses_for_a_person(
    cases: FakeCases, queued: ActionSettings
) -> None:
    cases.failure = BackendUnavailable("down")
    t = tracker(metadata=whatsapp(), slots={"opened_cases": ["10000001"]})

    events, messages = await hand_over(cases, queued, t)

    assert responses(messages) == ["utter_handoff_no_case"]
    assert events == PAUSED


def test_the_handoff_queue_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_QUEUE", "night-shift")

    assert ActionSettings().handoff_queue == "night-shift"
    monkeypatch.delenv("HANDOFF_QUEUE")
    assert ActionSettings().handoff_queue == "casebot-handoff"
