"""How did it go: the question when a case closes, and the answer put on the case.

Against the in-memory back end; ``test_rating_sandbox.py`` runs the same conversation over the
real Connect Cases adapter and the AICC one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY
from rasa_sdk.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from actions.changes import ActionCloseCase
from actions.kit.rating import ASKED_KEPT
from actions.kit.sdk import Action, CollectingDispatcher, Tracker
from actions.lookup import event_words
from actions.rating import ActionRateCase
from actions.triggered import ActionCaseUpdated
from cases.backend import BackendUnavailable, CaseEvent, CaseTemplate, TemplateField
from tests.unit.actions.fakes import (
    ANN_PHONE,
    FakeCases,
    agent,
    entity,
    responses,
    tracker,
    whatsapp,
)

CONVERSATION = f"whatsapp:{ANN_PHONE.lstrip('+')}"
FALLBACK = {"event": "followup", "timestamp": None, "name": "action_handle_fallback"}


class RatedCases(FakeCases):
    """A back end whose template has the ``satisfaction`` field."""

    async def get_template(self) -> CaseTemplate:
        self._fail()
        field = TemplateField(name="satisfaction", field_id="sat-1", type="Number")
        return CaseTemplate(template_id="t", name="Customer case", fields={"satisfaction": field})


@pytest.fixture
def cases() -> RatedCases:
    cases = RatedCases()
    cases.add("10000002", contact=ANN_PHONE, title="Bill wrong")
    return cases


async def run(action: Action, t: Tracker) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


def confirmed_close(slots: dict[str, Any], metadata: dict[str, Any]) -> Tracker:
    """The "yes" that confirms closing the case in ``pending_close``."""
    return tracker(
        text="yes",
        intent="affirm",
        metadata=metadata,
        slots=slots,
        events=[
            ActionExecuted("action_ask_close_case"),
            ActionExecuted("action_listen"),
            UserUttered("yes", {"intent": {"name": "affirm"}}),
        ],
    )


def asked(handle: str = "10000002#id-10000002", *before: dict[str, Any]) -> list[dict[str, Any]]:
    """The close that asked "How did we do?", ending the turn, before the customer's answer."""
    return [
        *before,
        UserUttered("yes", {"intent": {"name": "affirm"}}),
        ActionExecuted("action_close_case"),
        BotUttered("Case 10000002 is closed."),
        SlotSet("pending_close", None),
        SlotSet("rating_case", handle),
        ActionExecuted("action_listen"),
    ]


def answer(text: str, events: list[dict[str, Any]], **extra: Any) -> Tracker:
    return tracker(
        text=text,
        intent="give_rating",
        metadata=whatsapp(),
        slots={"rating_case": "10000002#id-10000002"},
        events=[*events, UserUttered(text, {"intent": {"name": "give_rating"}})],
        **extra,
    )


def counted(score: str, backend: str = "connect") -> float:
    value = REGISTRY.get_sample_value(
        "casebot_satisfaction_ratings_total", {"score": score, "backend": backend}
    )
    return value or 0.0


# --- asking ---


async def test_a_customer_who_closes_their_case_is_asked_once_how_it_went(
    cases: RatedCases, settings: Any
) -> None:
    yes = confirmed_close({"pending_close": "10000002#id-10000002"}, whatsapp())

    events, messages = await run(ActionCloseCase(cases, settings), yes)

    assert responses(messages) == ["utter_case_closed", "utter_ask_rating"]
    assert messages[1]["case_ref"] == "10000002"
    assert SlotSet("rating_case", "10000002#id-10000002") in events
    assert SlotSet("rating_asked", ["10000002"]) in events


async def test_a_case_asked_about_before_is_not_asked_about_again(
    cases: RatedCases, settings: Any
) -> None:
    yes = confirmed_close(
        {"pending_close": "10000002", "rating_asked": ["10000001", "10000002"]}, whatsapp()
    )

    events, messages = await run(ActionCloseCase(cases, settings), yes)

    assert responses(messages) == ["utter_case_closed"]
    assert not [e for e in events if e.get("name") in ("rating_case", "rating_asked")]


async def test_each_case_closed_is_remembered_as_asked_the_oldest_forgotten_past_the_limit(
    cases: RatedCases, settings: Any
) -> None:
    before = [f"1000{n:04d}" for n in range(100, 100 + ASKED_KEPT)]
    yes = confirmed_close({"pending_close": "10000002", "rating_asked": before}, whatsapp())

    events, messages = await run(ActionCloseCase(cases, settings), yes)

    assert responses(messages) == ["utter_case_closed", "utter_ask_rating"]
    assert SlotSet("rating_asked", [*before[1:], "10000002"]) in events


async def test_an_agent_who_closes_a_case_is_not_asked(cases: RatedCases, settings: Any) -> None:
    yes = confirmed_close({"pending_close": "10000002"}, agent())

    events, messages = await run(ActionCloseCase(cases, settings), yes)

    assert responses(messages) == ["utter_case_closed"]
    assert events == [SlotSet("pending_close", None)]


def notice(status: str, **more: Any) -> Tracker:
    return tracker(
        intent="case_updated",
        entities=[entity("case_ref", "10000002"), entity("status", status)],
        metadata={"is_external": True},
        sender=CONVERSATION,
        **more,
    )


async def test_the_notice_of_a_closed_case_asks_how_it_went(
    cases: RatedCases, settings: Any
) -> None:
    events, messages = await run(ActionCaseUpdated(cases, settings), notice("closed"))

    assert messages[0]["text"].startswith("Update on your case 10000002: it is now closed.")
    assert responses(messages)[1:] == ["utter_ask_rating"]
    assert SlotSet("rating_case", "10000002#id-10000002") in events


async def test_no_question_with_a_notice_of_another_status_inside_a_form_or_once_rated(
    cases: RatedCases, settings: Any
) -> None:
    pending = await run(ActionCaseUpdated(cases, settings), notice("open"))
    in_form = notice("closed")
    in_form.active_loop = {"name": "case_form"}
    during_form = await run(ActionCaseUpdated(cases, settings), in_form)
    cases.cases["10000002"] = cases.cases["10000002"].model_copy(
        update={"fields": {"satisfaction": 4.0}}
    )
    rated = await run(ActionCaseUpdated(cases, settings), notice("closed"))

    for events, messages in (pending, during_form, rated):
        assert responses(messages) == [None]
        assert not [e for e in events if e.get("name") == "rating_case"]


async def test_the_notice_asks_even_when_the_case_cannot_be_read(
    cases: RatedCases, settings: Any
) -> None:
    cases.failure = BackendUnavailable("down")

    events, messages = await run(ActionCaseUpdated(cases, settings), notice("closed"))

    assert responses(messages)[1:] == ["utter_ask_rating"]
    assert SlotSet("rating_case", "10000002") in events


# --- answering ---


async def test_a_rating_goes_in_the_field_and_into_the_metrics(
    cases: RatedCases, settings: Any
) -> None:
    before = counted("5")

    events, messages = await run(ActionRateCase(cases, settings), answer("5", asked()))

    assert cases.updates[-1][:2] == ("10000002", {"satisfaction": "5"})
    assert cases.comments == []
    assert responses(messages) == ["utter_rating_thanks"]
    assert events == [SlotSet("rating_case", None)]
    assert counted("5") == before + 1


async def test_a_rating_with_words_puts_the_words_beside_it_as_written(
    cases: RatedCases, settings: Any
) -> None:
    _, messages = await run(
        ActionRateCase(cases, settings), answer("2 - took way too long", asked())
    )

    assert cases.updates[-1][1] == {"satisfaction": "2"}
    assert [text for _, text, _ in cases.comments] == ["Customer rating: 2/5 - took way too long"]
    assert responses(messages) == ["utter_rating_poor"]


async def test_a_button_gives_its_score(cases: RatedCases, settings: Any) -> None:
    pressed = answer('/give_rating{"rating":"4"}', asked(), entities=[entity("rating", "4")])

    await run(ActionRateCase(cases, settings), pressed)

    assert cases.updates[-1][1] == {"satisfaction": "4"}


async def test_without_the_field_the_whole_rating_is_a_comment(settings: Any) -> None:
    cases = FakeCases()  # its template cannot be read: no field to hold a score
    cases.add("10000002", contact=ANN_PHONE)

    await run(ActionRateCase(cases, settings), answer("⭐⭐⭐⭐ quick fix", asked()))

    assert cases.updates == []
    assert [text for _, text, _ in cases.comments] == ["Customer rating: 4/5 - quick fix"]


@pytest.mark.parametrize("text", ["great thanks", "terrible", "6", "what about my other case"])
async def test_a_message_that_is_no_rating_is_served_as_not_understood(
    cases: RatedCases, settings: Any, text: str
) -> None:
    events, messages = await run(ActionRateCase(cases, settings), answer(text, asked()))

    assert events == [SlotSet("rating_case", None), FALLBACK]
    assert messages == []
    assert cases.updates == cases.comments == []


async def test_a_rating_after_the_conversation_moved_on_is_not_taken(
    cases: RatedCases, settings: Any
) -> None:
    moved_on = [
        *asked(),
        UserUttered("status of my case", {"intent": {"name": "check_case_status"}}),
        ActionExecuted("action_check_case_status"),
        BotUttered("Case 10000002: Bill wrong"),
        ActionExecuted("action_listen"),
        # a new session carries the question's slot over: still no question just asked
        ActionExecuted("action_session_start"),
        {"event": "session_started"},
        SlotSet("rating_case", "10000002#id-10000002"),
        ActionExecuted("action_listen"),
    ]

    events, _ = await run(ActionRateCase(cases, settings), answer("5", moved_on))

    assert events == [SlotSet("rating_case", None), FALLBACK]
    assert cases.updates == []


async def test_a_rating_next_morning_in_a_new_session_is_still_the_answer(
    cases: RatedCases, settings: Any
) -> None:
    next_day = [
        *asked(),
        ActionExecuted("action_session_start"),
        {"event": "session_started"},
        SlotSet("rating_case", "10000002#id-10000002"),
        ActionExecuted("action_listen"),
    ]

    await run(ActionRateCase(cases, settings), answer("4", next_day))

    assert cases.updates[-1][1] == {"satisfaction": "4"}


async def test_someone_elses_case_is_not_rated(cases: RatedCases, settings: Any) -> None:
    cases.add("10000007", contact="+447700900999")
    theirs = answer("1", asked("10000007#id-10000007"))
    theirs.slots["rating_case"] = "10000007#id-10000007"
    before = counted("1")

    _, messages = await run(ActionRateCase(cases, settings), theirs)

    assert responses(messages) == ["utter_rating_not_recorded"]
    assert cases.updates == cases.comments == []
    assert counted("1") == before


async def test_a_back_end_that_fails_is_owned_up_to(cases: RatedCases, settings: Any) -> None:
    cases.failure = BackendUnavailable("down")

    events, messages = await run(ActionRateCase(cases, settings), answer("3", asked()))

    assert responses(messages) == ["utter_rating_not_recorded"]
    assert events == [SlotSet("rating_case", None)]


async def test_thanks_with_stars_in_it_is_the_rating_and_the_rule_says_you_are_welcome(
    cases: RatedCases, settings: Any
) -> None:
    thanks = answer("⭐⭐⭐⭐⭐ ty", asked())
    thanks.latest_message["intent"] = {"name": "thank", "confidence": 0.74}

    events, messages = await run(ActionRateCase(cases, settings), thanks)

    assert cases.updates[-1][1] == {"satisfaction": "5"}
    assert [text for _, text, _ in cases.comments] == ["Customer rating: 5/5 - ty"]
    # the thanks is answered by its rule, once
    assert (events, messages) == ([SlotSet("rating_case", None)], [])


async def test_plain_thanks_after_the_question_rates_nothing_and_is_left_to_its_rule(
    cases: RatedCases, settings: Any
) -> None:
    thanks = answer("great thanks", asked())
    thanks.latest_message["intent"] = {"name": "thank", "confidence": 0.99}

    events, messages = await run(ActionRateCase(cases, settings), thanks)

    assert (events, messages) == ([SlotSet("rating_case", None)], [])
    assert cases.updates == cases.comments == []


def test_a_score_in_the_history_is_told_as_a_rating() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    given = CaseEvent(at=now, field="satisfaction", old=None, new="4.0", by="casebot")

    assert event_words(given, now, with_author=False) == "it was rated 4/5 (just now)"
