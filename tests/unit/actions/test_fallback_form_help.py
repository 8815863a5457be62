"""The case form's help: a person offered after three bad answers, stories, late changes."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet, UserUttered

from actions.forms import ValidateCaseForm
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.kit.story import short_title, told_story
from tests.unit.actions.fakes import FakeCases, responses, tracker

DOMAIN: dict[str, Any] = {
    "forms": {
        "case_form": {
            "required_slots": ["title", "description", "contact", "priority", "origin", "confirmed"]
        }
    },
    "slots": {},
}


async def validate(settings: ActionSettings, t: Tracker) -> tuple[list[Any], list[str | None]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateCaseForm(FakeCases(), settings).run(dispatcher, t, DOMAIN)
    return events, responses(dispatcher.messages)


def answer(slot: str, text: str, failures: int | None, intent: str = "inform") -> Tracker:
    return tracker(
        text=text,
        intent=intent,
        slots={"requested_slot": slot, "form_failures": failures, "origin": "webchat"},
        events=[UserUttered(text, {"intent": {"name": intent}}), SlotSet(slot, text)],
    )


async def test_a_bad_answer_is_counted(settings: ActionSettings) -> None:
    events, said = await validate(settings, answer("contact", "not a contact", None))

    assert said == ["utter_invalid_contact"]
    assert events[-1] == SlotSet("form_failures", 1)


async def test_the_third_bad_answer_in_a_row_offers_a_person_and_starts_counting_again(
    settings: ActionSettings,
) -> None:
    events, said = await validate(settings, answer("contact", "still no", 2))

    assert said == ["utter_invalid_contact", "utter_form_offer_human"]
    assert events[-1] == SlotSet("form_failures", 0)


async def test_a_good_answer_resets_the_count(settings: ActionSettings) -> None:
    events, said = await validate(settings, answer("contact", "ann@example.org", 2))

    assert said == []
    assert SlotSet("contact", "ann@example.org") in events
    assert events[-1] == SlotSet("form_failures", 0)


async def test_nothing_to_validate_sets_no_slot_so_the_form_can_hand_over(
    settings: ActionSettings,
) -> None:
    t = tracker(text="are you a bot", intent="bot_challenge", slots={"requested_slot": "title"})

    events, said = await validate(settings, t)

    assert events == [] and said == []


def opening(text: str) -> Tracker:
    return tracker(
        text=text,
        intent="open_case",
        slots={"origin": "webchat"},
        events=[UserUttered(text, {"intent": {"name": "open_case"}})],
    )


async def test_an_opening_story_fills_description_and_a_short_title(
    settings: ActionSettings,
) -> None:
    text = "I want to open a case: my router keeps dropping every hour since Monday, please help"

    events, said = await validate(settings, opening(text))

    assert SlotSet("description", text.split(": ", 1)[1]) in events
    assert SlotSet("title", "My router keeps dropping every hour") in events
    assert said == []


@pytest.mark.parametrize("text", ["open a case", "hi, open a ticket please", "i need help"])
async def test_a_short_opening_asks_as_usual(settings: ActionSettings, text: str) -> None:
    events, _ = await validate(settings, opening(text))

    assert not [e for e in events if e.get("name") in ("title", "description")]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("I want to open a case about my bill", "My bill"),
        ("ok whatever, i want to complain about a rude driver", "A rude driver"),
    ],
)
async def test_a_subject_named_with_the_request_is_the_title_and_the_description_is_asked(
    settings: ActionSettings, text: str, title: str
) -> None:
    """The subject was asked for again ("In a few words, what is it about?"), or, in a longer
    message, the title was its first words ("Ok whatever")."""
    events, _ = await validate(settings, opening(text))

    assert SlotSet("title", title) in events
    assert not [e for e in events if e.get("name") == "description"]


def test_a_title_is_the_first_clause_of_at_most_eight_words() -> None:
    assert short_title("the app crashes, every time I open it") == "The app crashes"
    assert (
        short_title("one two three four five six seven eight nine ten")
        == "One two three four five six seven eight"
    )


@pytest.mark.parametrize(
    ("story", "title"),
    [
        (
            "My router has been dropping the connection every hour since Monday",
            "My router has been dropping the connection",
        ),
        (
            "My washing machine is leaking water all over the kitchen floor",
            "My washing machine is leaking water",
        ),
        (
            "I was charged twice for the same order on my credit card last week",
            "I was charged twice for the same order",
        ),
    ],
)
def test_a_long_first_clause_ends_where_a_phrase_starts_never_mid_phrase(
    story: str, title: str
) -> None:
    assert short_title(story) == title


async def test_changing_the_title_at_confirmation_replaces_it(settings: ActionSettings) -> None:
    text = "change the title to Router keeps rebooting"
    t = tracker(
        text=text,
        intent="update_case",
        slots={"requested_slot": "confirmed", "title": "Router", "description": "It reboots."},
        events=[UserUttered(text, {"intent": {"name": "update_case"}})],
    )

    events, _ = await validate(settings, t)

    assert SlotSet("title", "Router keeps rebooting") in events
    assert not [e for e in events if e.get("name") == "description"]


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("title", "change the title to Sofa not delivered", "Sofa not delivered"),
        ("description", "change the description to: the sofa never came", "the sofa never came"),
    ],
)
async def test_a_change_asked_while_the_contact_is_asked_is_made_and_the_question_asked_again(
    settings: ActionSettings, field: str, text: str, value: str
) -> None:
    """It was added to the description as more detail, and the title stayed as it was."""
    slots = {
        "requested_slot": "contact",
        "title": "Sofa",
        "description": "I ordered a sofa 3 weeks ago",
        "origin": "webchat",
    }
    t = tracker(
        text=text,
        intent="update_case",
        slots=slots,
        events=[UserUttered(text, {"intent": {"name": "update_case"}}), SlotSet("contact", text)],
    )

    events, said = await validate(settings, t)

    assert SlotSet(field, value) in events
    assert SlotSet("contact", None) in events
    other = "description" if field == "title" else "title"
    assert not [e for e in events if e.get("name") == other]
    assert said == ["utter_draft_changed"]


@pytest.mark.parametrize(
    ("text", "story", "title"),
    [
        (
            "Hi, I ordered a sofa 3 weeks ago and it still hasn't come, and nobody answers the"
            " phone. Can you raise a complaint?",
            "I ordered a sofa 3 weeks ago and it still hasn't come, and nobody answers the phone",
            "I ordered a sofa 3 weeks ago",
        ),
        (
            "hey can u open a ticket my internet keeps dropping every evening",
            "my internet keeps dropping every evening",
            "My internet keeps dropping every evening",
        ),
        (
            "hello my parcel from last week never came please open a ticket for me",
            "my parcel from last week never came",
            "My parcel from last week never came",
        ),
        (
            "good morning team - the boiler is broken again, no heating at all, so i need to log"
            " a ticket",
            "the boiler is broken again, no heating at all",
            "The boiler is broken",
        ),
        (
            "I need to report that my broadband has been really slow for days, barely 2mbps",
            "my broadband has been really slow for days, barely 2mbps",
            "My broadband has been really slow for days",
        ),
        (
            "Hello, I'm writing to complain about the noise from your engineers last night",
            "the noise from your engineers last night",
            "The noise from your engineers last night",
        ),
        (
            "I need to log a complaint about the driver who was rude to my mum",
            "the driver who was rude to my mum",
            "The driver who was rude to my mum",
        ),
    ],
)
async def test_the_greeting_and_the_words_asking_for_a_case_are_in_neither_title_nor_description(
    settings: ActionSettings, text: str, story: str, title: str
) -> None:
    """ "Hi, ..." made the title "Hi", refused as too short; a closing "can you raise a
    complaint?" stayed in the description."""
    events, said = await validate(settings, opening(text))

    assert SlotSet("description", story) in events
    assert SlotSet("title", title) in events
    assert said == []


def test_the_request_at_the_end_is_looked_for_in_the_last_characters_only() -> None:
    story = "my parcel never came " + "and it is late " * 2000 + "can you open a case?"
    assert told_story(story) == story.removesuffix(" can you open a case?")
    assert told_story("open a case " + "x " * 20000).startswith("x x")


@pytest.mark.parametrize(
    ("asked", "text", "field", "value"),
    [
        ("description", "change the title to Router broken", "title", "Router broken"),
        (
            "title",
            "change the description to: it reboots hourly",
            "description",
            "it reboots hourly",
        ),
    ],
)
async def test_a_change_of_the_other_text_field_is_no_answer_to_the_one_asked(
    settings: ActionSettings, asked: str, text: str, field: str, value: str
) -> None:
    """ "change the title to ..." when the description was asked became the description too."""
    slots = {"requested_slot": asked, "origin": "webchat"}
    t = tracker(
        text=text,
        intent="update_case",
        slots=slots,
        events=[UserUttered(text, {"intent": {"name": "update_case"}}), SlotSet(asked, text)],
    )

    events, said = await validate(settings, t)

    assert SlotSet(field, value) in events
    assert SlotSet(asked, None) in events
    assert said == ["utter_draft_changed"]
