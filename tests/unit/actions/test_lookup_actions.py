from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.kit.status import status_words
from actions.lookup import ActionCheckCaseStatus, ActionListCases, humanise
from cases.backend import BackendUnavailable, CaseEvent, CaseFilter, InvalidCase
from tests.unit.actions.fakes import (
    AGENT_ARN,
    ANN_PHONE,
    NOW,
    FakeCases,
    agent,
    entity,
    responses,
    tracker,
    whatsapp,
)


@pytest.fixture
def cases() -> FakeCases:
    cases = FakeCases()
    cases.add("10000001", title="Router drops", contact=ANN_PHONE, age=timedelta(days=3))
    cases.add(
        "10000002", title="Bill wrong", contact=ANN_PHONE, status="pending", age=timedelta(hours=2)
    )
    cases.add("10000009", title="Someone else's", contact="bob@example.com")
    return cases


async def check(
    cases: FakeCases, settings: ActionSettings, t: Tracker
) -> tuple[list[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionCheckCaseStatus(cases, settings, clock=lambda: NOW).run(dispatcher, t, {})
    return events, dispatcher


async def listing(
    cases: FakeCases, settings: ActionSettings, t: Tracker
) -> tuple[list[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionListCases(cases, settings, clock=lambda: NOW).run(dispatcher, t, {})
    return events, dispatcher


def status_request(ref: str | None = None, **kwargs: Any) -> Tracker:
    found = [entity("case_ref", ref)] if ref else []
    return tracker(text="status of my case", intent="check_case_status", entities=found, **kwargs)


async def test_status_by_reference_tells_title_status_and_when_it_changed(
    cases: FakeCases, settings: ActionSettings
) -> None:
    events, dispatcher = await check(
        cases, settings, status_request("10000002", metadata=whatsapp())
    )

    [message] = dispatcher.messages
    assert message["text"].splitlines() == [
        "Case 10000002: Bill wrong",
        "Status: waiting for a reply (last changed 2 hours ago)",
        "Recently:",
        "- the case was opened (2 hours ago)",
    ]
    assert events == [SlotSet("case_ref", "10000002#id-10000002")]


async def test_status_tells_the_three_latest_meaningful_changes_in_words(
    cases: FakeCases, settings: ActionSettings
) -> None:
    cases.history["10000001"] = [
        CaseEvent(at=NOW - timedelta(minutes=5), field="comment", new="added", by="agent 7"),
        CaseEvent(at=NOW - timedelta(minutes=6), field="last_updated_datetime", new="x"),
        CaseEvent(at=NOW - timedelta(hours=1), field="status", old="open", new="pending"),
        CaseEvent(at=NOW - timedelta(days=1, hours=1), field="priority", old="Low", new="High"),
        CaseEvent(at=NOW - timedelta(days=2), field="assigned_queue", new="billing"),
    ]

    _, dispatcher = await check(cases, settings, status_request("10000001", metadata=whatsapp()))

    text = dispatcher.messages[0]["text"]
    assert text.splitlines()[2:] == [
        "Recently:",
        "- a comment was added (5 minutes ago)",
        "- the status changed to waiting for a reply (1 hour ago)",
        "- the priority changed to High (yesterday)",
    ]
    # who made a change is for agents' eyes
    assert "agent 7" not in text


async def test_values_set_when_the_case_was_opened_are_one_line_not_changes(
    cases: FakeCases, settings: ActionSettings
) -> None:
    opened = cases.cases["10000001"].created_at
    assert opened is not None
    cases.history["10000001"] = [
        CaseEvent(
            at=NOW - timedelta(minutes=1), field="contact", old="+447700900123", new="a@b.org"
        ),
        CaseEvent(at=opened, field="contact", new=ANN_PHONE),
        CaseEvent(at=opened, field="description", new="word " * 100),
        CaseEvent(at=opened, field="comment", new="added"),
    ]

    _, dispatcher = await check(cases, settings, status_request("10000001", metadata=whatsapp()))

    assert dispatcher.messages[0]["text"].splitlines()[2:] == [
        "Recently:",
        "- the contact changed to a@b.org (1 minute ago)",
        "- the case was opened (3 days ago)",
    ]


async def test_agents_see_who_made_each_change(cases: FakeCases, settings: ActionSettings) -> None:
    cases.history["10000009"] = [
        CaseEvent(at=NOW - timedelta(minutes=5), field="status", new="closed", by="agent 7")
    ]

    _, dispatcher = await check(cases, settings, status_request("10000009", metadata=agent()))

    assert (
        "- the status changed to closed by agent 7 (5 minutes ago)"
        in dispatcher.messages[0]["text"]
    )


async def test_without_a_reference_the_customers_newest_case_is_told(
    cases: FakeCases, settings: ActionSettings
) -> None:
    events, dispatcher = await check(cases, settings, status_request(metadata=whatsapp()))

    assert dispatcher.messages[0]["text"].startswith("Case 10000002: Bill wrong")
    assert events == [SlotSet("case_ref", "10000002#id-10000002")]


async def test_the_case_being_talked_about_is_used_when_no_reference_is_said(
    cases: FakeCases, settings: ActionSettings
) -> None:
    t = status_request(metadata=whatsapp(), slots={"case_ref": "10000001"})

    _, dispatcher = await check(cases, settings, t)

    assert dispatcher.messages[0]["text"].startswith("Case 10000001: Router drops")


async def test_someone_elses_reference_is_answered_like_a_missing_one(
    cases: FakeCases, settings: ActionSettings
) -> None:
    events, theirs = await check(cases, settings, status_request("10000009", metadata=whatsapp()))
    _, missing = await check(cases, settings, status_request("10000077", metadata=whatsapp()))

    assert responses(theirs.messages) == ["utter_case_not_found"]
    strip = lambda m: {k: v for k, v in m.items() if k != "case_ref"}  # noqa: E731
    assert [strip(m) for m in theirs.messages] == [strip(m) for m in missing.messages]
    assert "Someone else" not in str(theirs.messages)
    assert events == [SlotSet("case_ref", None)]


async def test_customer_without_cases_is_told_so(
    cases: FakeCases, settings: ActionSettings
) -> None:
    _, dispatcher = await check(cases, settings, status_request(metadata=whatsapp("+447700900555")))

    assert responses(dispatcher.messages) == ["utter_no_cases"]


async def test_agent_without_a_reference_is_asked_for_one(
    cases: FakeCases, settings: ActionSettings
) -> None:
    _, dispatcher = await check(cases, settings, status_request(metadata=agent()))

    assert responses(dispatcher.messages) == ["utter_ask_case_ref"]


async def test_back_end_down_is_said_without_its_details(
    cases: FakeCases, settings: ActionSettings
) -> None:
    cases.failure = BackendUnavailable("InternalServerException at host x")

    events, dispatcher = await check(
        cases, settings, status_request("10000001", metadata=whatsapp())
    )

    assert responses(dispatcher.messages) == ["utter_case_lookup_unavailable"]
    assert "InternalServer" not in str(dispatcher.messages)
    assert events == []


@pytest.mark.parametrize(
    ("ago", "said"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59), "59 minutes ago"),
        (timedelta(hours=3), "3 hours ago"),
        (timedelta(hours=25), "yesterday"),
        (timedelta(days=4), "4 days ago"),
        (timedelta(days=40), "on 29 January 2026"),
        (-timedelta(minutes=5), "just now"),
    ],
)
def test_times_are_said_as_a_person_would(ago: timedelta, said: str) -> None:
    assert humanise(NOW - ago, NOW) == said


def test_statuses_are_said_in_plain_words() -> None:
    assert status_words("open") == "open, and our team is on it"
    assert status_words("Closed") == "closed"
    assert status_words("in_progress") == "in progress"


# --- lists ---


def list_request(*found: dict[str, Any], **kwargs: Any) -> Tracker:
    return tracker(text="show my cases", intent="list_cases", entities=list(found), **kwargs)


@pytest.fixture
def many() -> FakeCases:
    cases = FakeCases()
    for n in range(1, 8):
        cases.add(f"2000000{n}", title=f"Case {n}", contact=ANN_PHONE, age=timedelta(days=n))
    cases.add("20000099", title="Not hers", contact="bob@example.com")
    return cases


def refs_in(text: str) -> list[str]:
    return [line.split(":")[0].lstrip("- ") for line in text.splitlines()[1:]]


async def test_customer_list_shows_three_newest_with_show_more(
    many: FakeCases, settings: ActionSettings
) -> None:
    events, dispatcher = await listing(many, settings, list_request(metadata=whatsapp()))

    [message] = dispatcher.messages
    assert message["text"].splitlines()[0] == "Your cases:"
    assert refs_in(message["text"]) == ["20000001", "20000002", "20000003"]
    assert message["buttons"] == [{"title": "Show more", "payload": '/list_cases{"list_page":"2"}'}]
    assert events == [
        SlotSet("list_next", {"page": 2, "query": {"own": True, "priority": None}, "token": None})
    ]


async def test_show_more_continues_where_the_list_stopped_and_ends_without_a_button(
    many: FakeCases, settings: ActionSettings
) -> None:
    saved: dict[str, Any] = {"page": 3, "query": {"own": True, "priority": None}, "token": None}
    t = list_request(entity("list_page", "3"), metadata=whatsapp(), slots={"list_next": saved})

    events, dispatcher = await listing(many, settings, t)

    [message] = dispatcher.messages
    assert message["text"].splitlines()[0] == "Your cases, continued:"
    assert refs_in(message["text"]) == ["20000007"]
    assert not message["buttons"]
    assert events == [SlotSet("list_next", None)]


async def test_a_stale_show_more_button_starts_the_list_again(
    many: FakeCases, settings: ActionSettings
) -> None:
    t = list_request(entity("list_page", "5"), metadata=whatsapp(), slots={"list_next": None})

    _, dispatcher = await listing(many, settings, t)

    assert refs_in(dispatcher.messages[0]["text"]) == ["20000001", "20000002", "20000003"]


async def test_customer_list_includes_cases_opened_here_but_never_others(
    many: FakeCases, settings: ActionSettings
) -> None:
    many.add("30000001", title="Opened here", contact="other@example.com", age=timedelta(0))
    t = list_request(metadata=whatsapp(), slots={"opened_cases": ["30000001"]})

    _, dispatcher = await listing(many, settings, t)

    text = dispatcher.messages[0]["text"]
    assert refs_in(text)[0] == "30000001"
    assert "20000099" not in text


async def test_empty_list_is_a_clear_sentence(many: FakeCases, settings: ActionSettings) -> None:
    events, dispatcher = await listing(
        many, settings, list_request(metadata=whatsapp("+447700900555"))
    )

    assert responses(dispatcher.messages) == ["utter_no_cases"]
    assert events == [SlotSet("list_next", None)]


async def test_agent_asks_for_open_cases_of_a_phone_number(
    many: FakeCases, settings: ActionSettings
) -> None:
    many.cases["20000002"] = many.cases["20000002"].model_copy(update={"status": "closed"})
    t = list_request(entity("phone", "+44 7700 900123"), metadata=agent())

    events, dispatcher = await listing(many, settings, t)

    [(search, token)] = many.searches
    assert search == CaseFilter(contact=ANN_PHONE, status="open", page_size=3)
    assert token is None
    text = dispatcher.messages[0]["text"]
    assert text.splitlines()[0] == f"Open cases for {ANN_PHONE}:"
    assert refs_in(text) == ["20000001", "20000003", "20000004"]
    query = {"contact": ANN_PHONE, "status": "open"}
    assert events == [SlotSet("list_next", {"page": 2, "query": query, "token": "3"})]


async def test_agent_show_more_uses_the_back_ends_token(
    many: FakeCases, settings: ActionSettings
) -> None:
    saved = {"page": 2, "query": {"contact": ANN_PHONE, "status": "open"}, "token": "3"}
    t = list_request(entity("list_page", "2"), metadata=agent(), slots={"list_next": saved})

    _, dispatcher = await listing(many, settings, t)

    [(search, token)] = many.searches
    assert (search.contact, token) == (ANN_PHONE, "3")
    assert refs_in(dispatcher.messages[0]["text"]) == ["20000004", "20000005", "20000006"]


async def test_show_more_of_an_agents_list_pressed_by_a_customer_lists_their_own_cases(
    many: FakeCases, settings: ActionSettings
) -> None:
    # the agent's number left the allow-list after the list was made
    saved = {"page": 2, "query": {"contact": ANN_PHONE, "status": "open"}, "token": "3"}
    former_agent = whatsapp("+447700900777")
    t = list_request(entity("list_page", "2"), metadata=former_agent, slots={"list_next": saved})

    _, dispatcher = await listing(many, settings, t)

    assert [search.contact for search, _ in many.searches] == ["+447700900777"]
    assert responses(dispatcher.messages) == ["utter_no_cases"]


async def test_agent_asks_for_their_high_priority_cases(
    many: FakeCases, settings: ActionSettings
) -> None:
    many.add("40000001", title="Mine", priority="High", assigned_user=AGENT_ARN)
    many.add("40000002", title="Mine, low", priority="Low", assigned_user=AGENT_ARN)
    many.add("40000003", title="Someone's", priority="High", assigned_user="arn:other")
    t = list_request(entity("priority", "High"), metadata=agent())

    _, dispatcher = await listing(many, settings, t)

    [(search, _)] = many.searches
    assert (search.assigned_user, search.priority, search.status) == (AGENT_ARN, "High", "open")
    text = dispatcher.messages[0]["text"]
    assert text.splitlines()[0] == "Open High-priority cases, assigned to you:"
    assert refs_in(text) == ["40000001"]


async def test_agent_with_no_match_gets_a_clear_sentence(
    many: FakeCases, settings: ActionSettings
) -> None:
    t = list_request(entity("email", "nobody@example.com"), metadata=agent())

    _, dispatcher = await listing(many, settings, t)

    assert responses(dispatcher.messages) == ["utter_no_matching_cases"]
    assert dispatcher.messages[0]["search"] == "open cases for nobody@example.com"


async def test_an_agents_empty_search_says_what_was_searched_for(
    many: FakeCases, settings: ActionSettings
) -> None:
    """ "which cases are high priority?" with none open got "No cases match that." alone."""
    t = list_request(entity("priority", "Critical"), metadata=agent())

    _, dispatcher = await listing(many, settings, t)

    [message] = dispatcher.messages
    assert message["response"] == "utter_no_matching_cases"
    assert message["search"].startswith("open Critical-priority cases")


@pytest.mark.parametrize("typed", ["show more", "More", "next page", "more please", "the rest"])
async def test_show_more_typed_gives_the_next_page_of_the_list_shown_last(
    many: FakeCases, settings: ActionSettings, typed: str
) -> None:
    """Typed, it started the list again: the same three cases, over and over."""
    saved = {"page": 2, "query": {"contact": ANN_PHONE, "status": "open"}, "token": "3"}
    t = tracker(text=typed, intent="list_cases", metadata=agent(), slots={"list_next": saved})

    _, dispatcher = await listing(many, settings, t)

    [(_, token)] = many.searches
    assert token == "3"
    assert refs_in(dispatcher.messages[0]["text"]) == ["20000004", "20000005", "20000006"]


@pytest.mark.parametrize("typed", ["show more", "more cases for bob@example.com please now"])
async def test_more_typed_with_no_list_shown_or_with_a_new_search_starts_one(
    many: FakeCases, settings: ActionSettings, typed: str
) -> None:
    saved = {"page": 2, "query": {"contact": ANN_PHONE, "status": "open"}, "token": "3"}
    slots = {"list_next": saved if "bob" in typed else None}
    t = tracker(text=typed, intent="list_cases", metadata=agent(), slots=slots)

    await listing(many, settings, t)

    assert many.searches, "a list is made"
    assert all(token is None for _, token in many.searches)


async def test_agent_without_a_filter_or_an_id_is_asked_whose_cases(
    many: FakeCases, settings: ActionSettings
) -> None:
    metadata = {"channel": "webchat", "role": "agent"}

    _, dispatcher = await listing(many, settings, list_request(metadata=metadata))

    assert responses(dispatcher.messages) == ["utter_ask_list_filter"]
    assert many.searches == []


async def test_an_agent_asking_for_the_open_cases_gets_everyones_not_only_their_own(
    many: FakeCases, settings: ActionSettings
) -> None:
    """It used to search the agent's assigned cases only, and answer "No cases match that."."""
    many.add("40000004", title="Closed one", status="closed", age=timedelta(minutes=5))
    t = tracker(text="show me the open cases", intent="list_cases", metadata=agent())

    _, dispatcher = await listing(many, settings, t)

    [(search, _)] = many.searches
    assert (search.status, search.assigned_user, search.contact) == ("open", None, None)
    text = dispatcher.messages[0]["text"]
    assert text.splitlines()[0] == "Open cases:"
    assert "40000004" not in refs_in(text) and len(refs_in(text)) == 3
    assert dispatcher.messages[0]["buttons"][0]["title"] == "Show more"


async def test_a_list_the_back_end_cannot_search_is_said_plainly(
    many: FakeCases, settings: ActionSettings
) -> None:
    many.failure = InvalidCase("AICC's case list reaches back 31 days at most")
    t = tracker(text="cases since 3 january", intent="list_cases", metadata=agent())

    events, dispatcher = await listing(many, settings, t)

    assert responses(dispatcher.messages) == ["utter_list_refused"]
    assert dispatcher.messages[0]["reason"] == "AICC's case list reaches back 31 days at most"
    assert events == [SlotSet("list_next", None)]
