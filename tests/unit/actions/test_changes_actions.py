from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from actions.changes import (
    ActionAddCaseComment,
    ActionAskCloseCase,
    ActionCloseCase,
    ActionUpdateCase,
    ValidateCommentForm,
)
from actions.kit.sdk import Action, CollectingDispatcher, Tracker
from cases.backend import Actor, BackendUnavailable
from tests.unit.actions.fakes import (
    AGENT_ARN,
    ANN_PHONE,
    FakeCases,
    agent,
    entity,
    responses,
    tracker,
    whatsapp,
)

ANN = Actor(channel="whatsapp", conversation_id="webchat:abc")
AGENT = Actor(channel="webchat", conversation_id="webchat:abc", agent_id=AGENT_ARN)


@pytest.fixture
def cases() -> FakeCases:
    cases = FakeCases()
    cases.add("10000001", title="Router drops", contact=ANN_PHONE, age=timedelta(days=3))
    cases.add("10000002", title="Bill wrong", contact=ANN_PHONE, age=timedelta(hours=2))
    cases.add("10000009", title="Bob's", contact="bob@example.com")
    return cases


async def run(action: Action, t: Tracker) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


# --- comments ---


async def test_comment_after_a_colon_is_taken_from_the_request() -> None:
    t = tracker(text="add a comment to 10000001: the courier came back", intent="add_case_comment")

    found = await ValidateCommentForm().extract_comment_text(CollectingDispatcher(), t, {})

    assert found == {"comment_text": "the courier came back"}


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("I want to add a comment", {}),
        ("add a comment:   ", {}),
        ("note: later", {"requested_slot": "comment_text"}),
    ],
)
async def test_comment_is_asked_for_when_the_request_does_not_carry_one(
    text: str, slots: dict[str, Any]
) -> None:
    t = tracker(text=text, intent="add_case_comment", slots=slots)

    assert await ValidateCommentForm().extract_comment_text(CollectingDispatcher(), t, {}) == {}


async def test_an_empty_comment_is_refused() -> None:
    dispatcher = CollectingDispatcher()

    kept = await ValidateCommentForm().validate_comment_text(" ", dispatcher, tracker(), {})

    assert kept == {"comment_text": None}
    assert responses(dispatcher.messages) == ["utter_invalid_comment"]


async def test_customer_comment_goes_on_their_newest_case_as_written(
    cases: FakeCases, settings: Any
) -> None:
    t = tracker(metadata=whatsapp(), slots={"comment_text": "It happened again."})

    events, messages = await run(ActionAddCaseComment(cases, settings), t)

    assert cases.comments == [("10000002", "It happened again.", ANN)]
    assert responses(messages) == ["utter_comment_added"]
    assert messages[0]["case_ref"] == "10000002"
    assert events == [SlotSet("comment_text", None), SlotSet("case_ref", "10000002#id-10000002")]


async def test_agent_comment_is_marked_internal_and_carries_the_agent(
    cases: FakeCases, settings: Any
) -> None:
    t = tracker(
        metadata=agent(), slots={"comment_text": "Called the customer", "case_ref": "10000009"}
    )

    await run(ActionAddCaseComment(cases, settings), t)

    assert cases.comments == [("10000009", "[Internal note] Called the customer", AGENT)]


@pytest.mark.parametrize(
    "said",
    [
        "[Internal note] Refund approved by the manager",
        "  [internal NOTE]: Refund approved by the manager",
        "\uff3bInternal note\uff3d Refund approved by the manager",
        "[Internal\u200b note] [Internal note] Refund approved by the manager",
    ],
)
async def test_customer_comment_cannot_pose_as_an_agents_internal_note(
    cases: FakeCases, settings: Any, said: str
) -> None:
    t = tracker(metadata=whatsapp(), slots={"comment_text": said})

    await run(ActionAddCaseComment(cases, settings), t)

    assert cases.comments == [("10000002", "Refund approved by the manager", ANN)]


async def test_customer_comment_that_is_only_the_mark_is_refused(
    cases: FakeCases, settings: Any
) -> None:
    t = tracker(metadata=whatsapp(), slots={"comment_text": "[Internal note]"})

    _, messages = await run(ActionAddCaseComment(cases, settings), t)

    assert cases.comments == []
    assert responses(messages) == ["utter_invalid_comment"]


async def test_comment_on_someone_elses_case_is_not_found_and_not_written(
    cases: FakeCases, settings: Any
) -> None:
    t = tracker(
        metadata=whatsapp(),
        entities=[entity("case_ref", "10000009")],
        slots={"comment_text": "hello"},
    )

    events, messages = await run(ActionAddCaseComment(cases, settings), t)

    assert cases.comments == []
    assert responses(messages) == ["utter_case_not_found"]
    assert SlotSet("comment_text", None) in events


async def test_comment_without_any_case_says_so(cases: FakeCases, settings: Any) -> None:
    t = tracker(metadata=whatsapp("+447700900555"), slots={"comment_text": "hello"})

    _, messages = await run(ActionAddCaseComment(cases, settings), t)

    assert responses(messages) == ["utter_no_case_to_change"]
    assert cases.comments == []


# --- updates ---


def update(text: str, *found: dict[str, Any], **kwargs: Any) -> Tracker:
    return tracker(text=text, intent="update_case", entities=list(found), **kwargs)


async def test_customer_changes_the_priority(cases: FakeCases, settings: Any) -> None:
    t = update("change the priority to high", entity("priority", "High"), metadata=whatsapp())

    events, messages = await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == [("10000002", {"priority": "High"}, ANN)]
    assert cases.cases["10000002"].priority == "High"
    assert responses(messages) == ["utter_case_updated"]
    assert messages[0]["changes"] == "priority High"
    assert events == [SlotSet("case_ref", "10000002#id-10000002")]


async def test_customer_changes_the_contact_email_normalised(
    cases: FakeCases, settings: Any
) -> None:
    t = update(
        "change my email to Ann@Example.ORG on 10000001",
        entity("email", "Ann@Example.ORG"),
        entity("case_ref", "10000001"),
        metadata=whatsapp(),
    )

    await run(ActionUpdateCase(cases, settings), t)

    # typed, not the number Ann writes from: the case says so, and gets no notices
    assert cases.updates == [
        ("10000001", {"contact": "Ann@example.org", "contact_verified": "No"}, ANN)
    ]


async def test_a_contact_changed_to_the_customers_own_number_is_verified(
    cases: FakeCases, settings: Any
) -> None:
    # written the way she would say it: the same number she writes from
    t = update(
        "change my number to 07700 900123 on 10000005",
        entity("phone", "07700 900123"),
        entity("case_ref", "10000005"),
        metadata=whatsapp(),
    )
    cases.add("10000005", contact=ANN_PHONE)

    _, messages = await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == [("10000005", {"contact": ANN_PHONE, "contact_verified": "Yes"}, ANN)]
    assert "verified" not in messages[0]["changes"]


async def test_new_title_is_taken_whole_even_with_a_priority_word_inside(
    cases: FakeCases, settings: Any
) -> None:
    text = "change the title to Urgent: router down"
    t = update(text, entity("priority", "High", start=text.index("Urgent")), metadata=whatsapp())

    await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == [("10000002", {"title": "Urgent: router down"}, ANN)]


async def test_a_value_the_template_refuses_is_explained_and_nothing_written(
    cases: FakeCases, settings: Any
) -> None:
    t = update("change the title to x", metadata=whatsapp())

    _, messages = await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == []
    assert responses(messages) == ["utter_invalid_change"]
    assert messages[0]["reason"] == "a title needs at least 3 characters"


async def test_a_customer_may_not_set_the_status(cases: FakeCases, settings: Any) -> None:
    t = update("set the status to pending", metadata=whatsapp())

    _, messages = await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == []
    assert responses(messages) == ["utter_change_not_allowed"]


async def test_a_customer_may_not_change_someone_elses_case(
    cases: FakeCases, settings: Any
) -> None:
    t = update(
        "priority high on 10000009",
        entity("priority", "High"),
        entity("case_ref", "10000009"),
        metadata=whatsapp(),
    )

    _, messages = await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == []
    assert responses(messages) == ["utter_case_not_found"]


async def test_agent_sets_the_status_and_takes_the_case(cases: FakeCases, settings: Any) -> None:
    t = update(
        "mark it as pending and assign it to me", entity("case_ref", "10000009"), metadata=agent()
    )

    _, messages = await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == [("10000009", {"status": "pending", "assigned_user": AGENT_ARN}, AGENT)]
    assert messages[0]["changes"] == "status waiting for a reply, assignee " + AGENT_ARN


async def test_agent_reopens_and_unassigns(cases: FakeCases, settings: Any) -> None:
    t = update("reopen and unassign 10000001", entity("case_ref", "10000001"), metadata=agent())

    await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == [("10000001", {"status": "open", "assigned_user": None}, AGENT)]


async def test_agent_without_an_id_cannot_be_assigned(cases: FakeCases, settings: Any) -> None:
    t = update("assign it to me", entity("case_ref", "10000001"), metadata={"role": "agent"})

    _, messages = await run(ActionUpdateCase(cases, settings), t)

    assert cases.updates == []
    assert responses(messages) == ["utter_change_not_allowed"]


async def test_an_update_naming_nothing_asks_what_to_change(
    cases: FakeCases, settings: Any
) -> None:
    _, messages = await run(
        ActionUpdateCase(cases, settings), update("change my case", metadata=whatsapp())
    )

    assert responses(messages) == ["utter_ask_what_to_change"]
    assert cases.updates == []


async def test_update_when_the_back_end_is_down_says_nothing_changed(
    cases: FakeCases, settings: Any
) -> None:
    cases.failure = BackendUnavailable("down")
    t = update("priority high", entity("priority", "High"), metadata=whatsapp())

    _, messages = await run(ActionUpdateCase(cases, settings), t)

    assert responses(messages) == ["utter_case_change_failed"]


# --- closing ---


def answered(intent: str, *before: dict[str, Any]) -> list[dict[str, Any]]:
    """The question "Close case X?" (after ``before``) and the user's answer to it."""
    return [
        *before,
        ActionExecuted("action_ask_close_case"),
        BotUttered("Close case?"),
        ActionExecuted("action_listen"),
        UserUttered(intent, {"intent": {"name": intent}}),
    ]


async def test_close_asks_first_and_remembers_the_case(cases: FakeCases, settings: Any) -> None:
    t = tracker(text="close my case", intent="close_case", metadata=whatsapp())

    events, messages = await run(ActionAskCloseCase(cases, settings), t)

    assert responses(messages) == ["utter_ask_close_case"]
    assert (messages[0]["case_ref"], messages[0]["title"]) == ("10000002", "Bill wrong")
    assert events == [
        SlotSet("pending_close", "10000002#id-10000002"),
        SlotSet("case_ref", "10000002#id-10000002"),
    ]
    assert cases.updates == []


async def test_an_already_closed_case_is_not_asked_about(cases: FakeCases, settings: Any) -> None:
    cases.add("10000003", contact=ANN_PHONE, status="closed", age=timedelta(0))
    t = tracker(intent="close_case", entities=[entity("case_ref", "10000003")], metadata=whatsapp())

    events, messages = await run(ActionAskCloseCase(cases, settings), t)

    assert responses(messages) == ["utter_case_already_closed"]
    assert SlotSet("pending_close", None) in events


async def test_yes_closes_the_case_with_the_agent_as_actor(cases: FakeCases, settings: Any) -> None:
    t = tracker(
        text="yes",
        intent="affirm",
        metadata=agent(),
        slots={"pending_close": "10000009"},
        events=answered("affirm"),
    )

    events, messages = await run(ActionCloseCase(cases, settings), t)

    assert cases.updates == [("10000009", {"status": "closed"}, AGENT)]
    assert responses(messages) == ["utter_case_closed"]
    assert events == [SlotSet("pending_close", None)]


async def test_no_keeps_the_case_open(cases: FakeCases, settings: Any) -> None:
    t = tracker(text="no", intent="deny", metadata=whatsapp(), slots={"pending_close": "10000001"})

    events, messages = await run(ActionCloseCase(cases, settings), t)

    assert cases.updates == []
    assert responses(messages) == ["utter_case_kept_open"]
    assert events == [SlotSet("pending_close", None)]


async def test_a_pending_close_is_checked_again_before_writing(
    cases: FakeCases, settings: Any
) -> None:
    t = tracker(
        text="yes", intent="affirm", metadata=whatsapp(), slots={"pending_close": "10000009"}
    )

    _, messages = await run(ActionCloseCase(cases, settings), t)

    assert cases.updates == []
    assert responses(messages) == ["utter_case_not_found"]


async def test_a_yes_to_something_said_since_asks_again_and_closes_nothing(
    cases: FakeCases, settings: Any
) -> None:
    since = [
        *answered("check_case_status"),
        ActionExecuted("action_check_case_status"),
        BotUttered("Case 10000001: ..."),
        ActionExecuted("action_listen"),
        UserUttered("yes", {"intent": {"name": "affirm"}}),
    ]
    t = tracker(
        text="yes",
        intent="affirm",
        metadata=whatsapp(),
        slots={"pending_close": "10000001"},
        events=since,
    )

    events, messages = await run(ActionCloseCase(cases, settings), t)

    assert cases.updates == []
    assert responses(messages) == ["utter_ask_close_case"]
    assert events == [SlotSet("pending_close", "10000001#id-10000001")]


@pytest.mark.parametrize(
    ("said", "comment"),
    [
        ("please note on my case that I'm away until Friday", "I'm away until Friday"),
        ("tell them I'm away until Friday", "I'm away until Friday"),
        ("let them know that the parcel arrived", "the parcel arrived"),
        ("add a note saying the engineer never came", "the engineer never came"),
        ("add a note to case 10000001: the courier called", "the courier called"),
        # a "that" inside the comment is the comment's own
        ("add a comment that the printer that I bought smokes", "the printer that I bought smokes"),
    ],
)
async def test_a_comment_given_with_the_request_is_taken_without_asking_again(
    said: str, comment: str
) -> None:
    t = tracker(text=said, intent="add_case_comment", metadata=whatsapp())

    slots = await ValidateCommentForm().extract_comment_text(CollectingDispatcher(), t, {})

    assert slots == {"comment_text": comment}


@pytest.mark.parametrize(
    "said", ["I want to add a comment", "add a note to my case please", "can you add a note that"]
)
async def test_a_request_without_its_comment_asks_for_it(said: str) -> None:
    t = tracker(text=said, intent="add_case_comment", metadata=whatsapp())

    assert await ValidateCommentForm().extract_comment_text(CollectingDispatcher(), t, {}) == {}
