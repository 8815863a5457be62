from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk.events import SlotSet, UserUttered

from actions.forms import ValidateCaseForm
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from cases.backend import BackendUnavailable
from tests.unit.actions.fakes import tracker as bare_tracker

LoadTracker = Callable[..., Tracker]

DOMAIN: dict[str, Any] = {
    "forms": {
        "case_form": {
            "required_slots": ["title", "description", "contact", "priority", "origin", "confirmed"]
        }
    },
    "slots": {},
}


async def validate(
    backend: Any, settings: ActionSettings, tracker: Tracker
) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    """Run validate_case_form the way Rasa does: after the form put the candidates last."""
    dispatcher = CollectingDispatcher()
    events = await ValidateCaseForm(backend, settings).run(dispatcher, tracker, DOMAIN)
    return events, dispatcher


def answered(slot: str, text: str, value: Any = None) -> list[dict[str, Any]]:
    """The user's answer to ``slot`` and the candidate value the form extracted from it."""
    return [
        UserUttered(text, {"intent": {"name": "inform"}, "metadata": {"channel": "webchat"}}),
        SlotSet(slot, text if value is None else value),
    ]


async def test_good_title_is_normalised(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    tracker = load_tracker(
        "webchat_form_in_progress", events=answered("title", "  Router   keeps dropping ")
    )

    events, dispatcher = await validate(backend, settings, tracker)

    assert SlotSet("title", "Router keeps dropping") in events
    assert dispatcher.messages == []


async def test_bad_title_is_cleared_with_one_sentence_why(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    tracker = load_tracker("webchat_form_in_progress", events=answered("title", "x" * 201))

    events, dispatcher = await validate(backend, settings, tracker)

    assert SlotSet("title", None) in events
    assert [(m["response"], m["reason"]) for m in dispatcher.messages] == [
        ("utter_invalid_title", "a title can have at most 200 characters")
    ]


async def test_origin_is_taken_from_the_message_metadata_when_unknown(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    tracker = load_tracker("webchat_form_in_progress")
    tracker.latest_message["metadata"] = {"channel": "webchat", "origin": "webchat"}

    events, dispatcher = await validate(backend, settings, tracker)

    assert SlotSet("origin", "webchat") in events
    assert dispatcher.messages == []


async def test_origin_already_known_is_not_replaced_by_metadata(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    tracker = load_tracker("webchat_form_in_progress", slots={"origin": "Voice"})
    tracker.latest_message["metadata"] = {"origin": "webchat"}

    events, _ = await validate(backend, settings, tracker)

    assert not [e for e in events if e.get("name") == "origin"]


async def test_unrecognised_metadata_origin_is_ignored_without_a_complaint(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    tracker = load_tracker("webchat_form_in_progress")
    tracker.latest_message["metadata"] = {"origin": "fax"}

    events, dispatcher = await validate(backend, settings, tracker)

    assert not [e for e in events if e.get("name") == "origin"]
    assert dispatcher.messages == []


async def test_long_description_is_kept_whole_and_the_user_told_once(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    text = "The router restarts and every light blinks. " * 700
    tracker = load_tracker("webchat_form_in_progress", events=answered("description", text))

    events, dispatcher = await validate(backend, settings, tracker)

    assert SlotSet("description", text.strip()) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_description_continued"]


@pytest.mark.parametrize(
    ("slot", "said", "value"),
    [
        ("contact", "07911 123456", "+447911123456"),
        ("contact", "+1 202 555 0143", "+12025550143"),
        ("contact", "ME@Example.com", "ME@example.com"),
        ("priority", "urgent", "High"),
        ("priority", "no rush", "Low"),
        ("origin", "whatsapp", "WhatsApp"),
        ("description", "  It broke again.  ", "It broke again."),
    ],
)
async def test_validators_normalise_good_values(
    backend: Any, settings: ActionSettings, slot: str, said: str, value: str
) -> None:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateCaseForm(backend, settings), f"validate_{slot}")

    assert await method(said, dispatcher, bare_tracker(), DOMAIN) == {slot: value}
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("slot", "said", "response", "reason"),
    [
        (
            "description",
            "hm",
            "utter_invalid_description",
            "a description needs at least 5 characters",
        ),
        (
            "description",
            "x" * 100_001,
            "utter_invalid_description",
            "a description can have at most 100,000 characters",
        ),
        (
            "contact",
            "tomorrow",
            "utter_invalid_contact",
            "that doesn't look like an email address or phone number",
        ),
        (
            "priority",
            "purple",
            "utter_invalid_priority",
            "please pick one of Low, Medium, High or Critical",
        ),
        (
            "origin",
            "pigeon",
            "utter_invalid_origin",
            "please pick one of webchat, WhatsApp, Voice or Email",
        ),
    ],
)
async def test_validators_clear_bad_values_with_a_reason(
    backend: Any, settings: ActionSettings, slot: str, said: str, response: str, reason: str
) -> None:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateCaseForm(backend, settings), f"validate_{slot}")

    assert await method(said, dispatcher, bare_tracker(), DOMAIN) == {slot: None}
    assert [(m["response"], m["reason"]) for m in dispatcher.messages] == [(response, reason)]


async def test_validation_uses_the_back_ends_options(
    backend: Any, settings: ActionSettings, spec: Any
) -> None:
    template = await backend.get_template()
    priority = template.fields["priority"].model_copy(update={"options": ("Normal", "Urgent")})
    backend.get_template = _returns(
        template.model_copy(update={"fields": {**template.fields, "priority": priority}})
    )
    form = ValidateCaseForm(backend, settings)

    assert await form.validate_priority("urgent", CollectingDispatcher(), None, DOMAIN) == {
        "priority": "Urgent"
    }
    assert await form.validate_priority("High", CollectingDispatcher(), None, DOMAIN) == {
        "priority": None
    }


async def test_validation_falls_back_to_the_template_file_when_the_back_end_is_down(
    backend: Any, settings: ActionSettings
) -> None:
    backend.template_failure = BackendUnavailable("down")
    form = ValidateCaseForm(backend, settings)

    assert await form.validate_priority("asap", CollectingDispatcher(), None, DOMAIN) == {
        "priority": "High"
    }


def _returns(value: Any) -> Any:
    async def get() -> Any:
        return value

    return get


DETAIL = "The March invoice shows VAT added twice on the subtotal"


@pytest.mark.parametrize("asked", ["contact", "priority"])
async def test_more_detail_told_while_another_answer_was_asked_goes_to_the_description(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker, asked: str
) -> None:
    """It used to be refused ("that doesn't look like an email address") and lost."""
    slots = {
        "title": "Invoice charges VAT twice",
        "description": "my invoice INV-2231 charges VAT twice",
        "requested_slot": asked,
    }
    if asked == "priority":
        slots["contact"] = "ann@example.org"
    tracker = load_tracker("webchat_form_in_progress", slots=slots, events=answered(asked, DETAIL))

    events, dispatcher = await validate(backend, settings, tracker)

    assert SlotSet("description", f"my invoice INV-2231 charges VAT twice\n{DETAIL}") in events
    assert SlotSet(asked, None) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_detail_added"]


@pytest.mark.parametrize(
    "detail",
    [
        "its a blue box from amazon, order 4471-22, nobody at home got it",
        "the serial number is AB1234 and it broke after a week",
        "it cost 49.99 and arrived on 12/11 with the lid cracked",
    ],
)
async def test_more_detail_with_an_order_number_or_a_price_is_not_taken_for_a_contact(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker, detail: str
) -> None:
    """A number of six digits or fewer, or the word "number", read as a phone number: the
    detail was refused as a contact and lost."""
    slots = {
        "title": "Parcel lost",
        "description": "my parcel never came",
        "requested_slot": "contact",
    }
    tracker = load_tracker(
        "webchat_form_in_progress", slots=slots, events=answered("contact", detail)
    )

    events, dispatcher = await validate(backend, settings, tracker)

    assert SlotSet("description", f"my parcel never came\n{detail}") in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_detail_added"]


@pytest.mark.parametrize(
    "said",
    [
        "my email is ann at example dot org",  # trying to give a contact: told why not
        "just call me on my mobile later",
        "ok so my number is the one ending 4471",
    ],
)
async def test_an_attempt_at_a_contact_is_still_refused_with_the_reason(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker, said: str
) -> None:
    slots = {"title": "Bill", "description": "my bill is wrong", "requested_slot": "contact"}
    tracker = load_tracker(
        "webchat_form_in_progress", slots=slots, events=answered("contact", said)
    )

    events, dispatcher = await validate(backend, settings, tracker)

    assert not [e for e in events if e.get("name") == "description"]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_contact"]
