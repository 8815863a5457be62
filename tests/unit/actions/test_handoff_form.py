"""A person asked for in the middle of the case form: what the customer said is filed and queued.

Today's handoff queues a case that exists; inside the form there is none yet, so the form's
answers so far become one (``actions.kit.unfinished``), with a note on it saying what the
customer did not give.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from rasa_sdk.events import ActionExecuted, ConversationPaused, SlotSet, UserUttered

from actions.handoff import ActionRequestHuman
from actions.kit.rendering import shorten
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.kit.unfinished import TITLE_FROM_DESCRIPTION
from cases.backend import BackendUnavailable, Case, CaseDraft, CaseTemplate, TemplateField
from cases.connect.chat import ChatStart
from tests.unit.actions.fakes import ANN_PHONE, FakeCases, entity, responses, tracker, whatsapp

PAUSED = [ActionExecuted("action_listen"), ConversationPaused()]
CLEARED = [SlotSet(name, None) for name in ("title", "description", "priority", "confirmed")]


class DraftedCases(FakeCases):
    """Keeps every draft and key it was asked to file."""

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[tuple[CaseDraft, str]] = []

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        self.drafts.append((draft, idempotency_key))
        return await super().create_case(draft, idempotency_key)


@pytest.fixture
def cases() -> DraftedCases:
    cases = DraftedCases()
    cases.add("10000001", contact=ANN_PHONE, title="An older case")
    return cases


def in_the_form(
    text: str = "can i talk to a real person pls", **extra: Any
) -> list[dict[str, Any]]:
    """The case form running, asking its question, and the customer asking for a person."""
    return [
        UserUttered("my router keeps dropping", {"intent": {"name": "open_case"}}),
        {"event": "active_loop", "name": "case_form", "timestamp": 1700000000.0},
        ActionExecuted("case_form"),
        SlotSet("requested_slot", "priority"),
        ActionExecuted("action_listen"),
        UserUttered(text, {"intent": {"name": "request_human", "confidence": 0.95}}),
        # the rule that ends the form before the handoff runs
        ActionExecuted("action_deactivate_loop"),
        {"event": "active_loop", "name": None},
        SlotSet("requested_slot", None),
    ]


def asking(
    slots: dict[str, Any], events: list[dict[str, Any]] | None = None, **more: Any
) -> Tracker:
    return tracker(
        text="can i talk to a real person pls",
        intent="request_human",
        slots=slots,
        events=in_the_form() if events is None else events,
        sender="whatsapp:447700900123",
        **more,
    )


ANSWERS = {
    "title": "Router keeps dropping",
    "description": "It drops every hour since Monday, the lights go red.",
    "contact": ANN_PHONE,
    "origin": "WhatsApp",
    "channel": "whatsapp",
}


async def hand_over(
    cases: FakeCases, settings: ActionSettings, t: Tracker
) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHuman(cases, settings).run(dispatcher, t, {})
    return events, dispatcher.messages


async def test_what_the_form_collected_is_filed_and_queued_with_a_note(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    events, messages = await hand_over(cases, settings, asking(ANSWERS, metadata=whatsapp()))

    [(draft, _)] = cases.drafts
    assert (draft.title, draft.description, draft.contact) == (
        "Router keeps dropping",
        "It drops every hour since Monday, the lights go red.",
        ANN_PHONE,
    )
    # the customer never said how urgent: the template's default, and the case says so
    assert (draft.priority, draft.origin, draft.contact_verified) == ("Medium", "WhatsApp", True)
    assert cases.updates[-1][:2] == ("00000002", {"assigned_queue": settings.handoff_queue})
    [(ref, comment, _)] = cases.comments
    assert ref == "00000002"
    assert comment.startswith(
        "Filed when the customer asked for a person before the case form was finished. "
        "Not given by the customer: priority (Medium is used).\n\nChat before handoff:\n"
    )
    assert "Customer: my router keeps dropping" in comment
    assert responses(messages) == ["utter_handoff_filed_case"]
    assert messages[0]["case_ref"] == "00000002"
    assert events == [
        *CLEARED,
        SlotSet("opened_cases", ["00000002#id-00000002"]),
        SlotSet("case_ref", "00000002#id-00000002"),
        *PAUSED,
    ]


async def test_a_title_alone_is_the_description_too(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    said = {"title": "Router keeps dropping", "contact": ANN_PHONE}

    await hand_over(cases, settings, asking(said, metadata=whatsapp()))

    [(draft, _)] = cases.drafts
    assert draft.description == "Router keeps dropping"
    assert "a description (the title is used); priority (Medium is used)" in cases.comments[0][1]


LONG_LINE = "The router drops the connection " * 5


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("Router drops every hour\nThe lights go red since Monday.", "Router drops every hour"),
        (f"{LONG_LINE}\nThe lights go red.", shorten(LONG_LINE, TITLE_FROM_DESCRIPTION)),
    ],
)
async def test_a_description_alone_gives_the_title_its_first_line_shortened(
    cases: DraftedCases, settings: ActionSettings, description: str, title: str
) -> None:
    said = {"description": description, "contact": ANN_PHONE}

    await hand_over(cases, settings, asking(said, metadata=whatsapp()))

    [(draft, _)] = cases.drafts
    assert draft.title == title and len(title) <= TITLE_FROM_DESCRIPTION
    assert draft.description == description
    assert (
        "Not given by the customer: a title (the start of the description is used)"
        in (cases.comments[0][1])
    )


async def test_a_priority_given_is_kept_and_nothing_is_called_defaulted(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    await hand_over(cases, settings, asking(ANSWERS | {"priority": "High"}, metadata=whatsapp()))

    assert cases.drafts[0][0].priority == "High"
    assert "Not given" not in cases.comments[0][1]


async def test_a_retried_turn_files_with_the_same_key(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    await hand_over(cases, settings, asking(ANSWERS, metadata=whatsapp()))
    await hand_over(cases, settings, asking(ANSWERS, metadata=whatsapp()))

    assert cases.drafts[0][1] == cases.drafts[1][1]


@pytest.mark.parametrize(
    "slots",
    [
        pytest.param({"title": "Router keeps dropping"}, id="no contact to reach them on"),
        pytest.param({"contact": ANN_PHONE}, id="nothing said about the problem"),
        pytest.param({"title": "Wifi", "contact": ANN_PHONE}, id="too little to describe it"),
    ],
)
async def test_too_little_to_file_hands_over_the_chat_as_it_stands(
    cases: DraftedCases, settings: ActionSettings, slots: dict[str, Any]
) -> None:
    events, messages = await hand_over(cases, settings, asking(slots))

    assert cases.drafts == []
    assert responses(messages) == ["utter_handoff_no_case"]
    # nothing the customer said is cleared: the person sees it in the conversation
    assert events == PAUSED


async def test_outside_the_form_leftover_answers_are_not_filed(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    earlier = [UserUttered("a person please", {"intent": {"name": "request_human"}})]

    await hand_over(cases, settings, asking(ANSWERS, events=earlier, metadata=whatsapp()))

    assert cases.drafts == []


async def test_answers_left_by_another_form_are_not_filed(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    other = [
        {**event, "name": "comment_form"} if event.get("name") == "case_form" else event
        for event in in_the_form()
    ]

    await hand_over(cases, settings, asking(ANSWERS, events=other, metadata=whatsapp()))

    assert cases.drafts == []


class OptionalContact(DraftedCases):
    """A back end whose template does not require a contact."""

    async def get_template(self) -> CaseTemplate:
        self._fail()
        field = TemplateField(name="contact", field_id="contact", type="Text", required=False)
        return CaseTemplate(template_id="t", name="Customer case", fields={"contact": field})


async def test_no_case_is_filed_without_a_contact_even_where_the_template_needs_none(
    settings: ActionSettings,
) -> None:
    cases = OptionalContact()
    said = {key: value for key, value in ANSWERS.items() if key != "contact"}

    _, messages = await hand_over(cases, settings, asking(said))

    assert cases.drafts == []
    assert responses(messages) == ["utter_handoff_no_case"]


async def test_the_customers_profile_goes_on_the_case(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    profile = "arn:aws:profile:us-east-1:123456789012:domains/casebot/profiles/p-1"

    await hand_over(
        cases, settings, asking(ANSWERS | {"customer_id": profile}, metadata=whatsapp())
    )

    assert [draft.customer_id for draft, _ in cases.drafts] == [profile]


async def test_a_case_named_with_the_request_is_the_one_queued(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    named = asking(ANSWERS, metadata=whatsapp(), entities=[entity("case_ref", "10000001")])

    _, messages = await hand_over(cases, settings, named)

    assert cases.drafts == []
    assert responses(messages) == ["utter_handoff_case"]
    assert messages[0]["case_ref"] == "10000001"


async def test_a_back_end_that_cannot_file_still_hands_over(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    cases.failure = BackendUnavailable("down")

    events, messages = await hand_over(cases, settings, asking(ANSWERS, metadata=whatsapp()))

    assert responses(messages) == ["utter_handoff_no_case"]
    assert events == PAUSED


class StartedChat:
    """A live chat that always starts, keeping what it was started with."""

    def __init__(self) -> None:
        self.attributes: list[Mapping[str, str]] = []

    async def start(
        self, display_name: str, attributes: Mapping[str, str], transcript: str, key: str
    ) -> ChatStart:
        self.attributes.append(attributes)
        return ChatStart("contact-1", "participant-1", "token-1", None)


async def test_with_a_live_chat_the_person_gets_the_filed_case_too(
    cases: DraftedCases, settings: ActionSettings
) -> None:
    chat = StartedChat()
    live = settings.model_copy(update={"handoff_mode": "connect_chat"})
    dispatcher = CollectingDispatcher()

    events = await ActionRequestHuman(cases, live, chat=chat).run(
        dispatcher, asking(ANSWERS, metadata=whatsapp()), {}
    )

    assert [draft.title for draft, _ in cases.drafts] == ["Router keeps dropping"]
    assert chat.attributes[0]["caseReference"] == "00000002"
    assert responses(dispatcher.messages)[0] == "utter_handoff_chat_case"
    assert SlotSet("opened_cases", ["00000002#id-00000002"]) in events
    assert events[-2:] == PAUSED
