from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.kit.message import entity_values
from actions.kit.sdk import CollectingDispatcher
from actions.kit.settings import ActionSettings
from actions.triggered import ActionIvrHandoff
from cases.backend import BackendUnavailable, Case, CaseRef
from tests.unit.actions.fakes import ANN_PHONE, FakeCases, entity, responses, tracker

CALLER = ANN_PHONE
CONTACT_ARN = (
    "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"
    "/contact/4a573372-1f28-4e26-b97b-000000000001"
)
CONVERSATION = f"whatsapp:{CALLER.lstrip('+')}"


class LinkingCases(FakeCases):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []

    async def link_contact(self, ref: CaseRef, contact_id: str) -> None:
        self._fail()
        self.links.append((ref.ref if isinstance(ref, Case) else ref, contact_id))


@pytest.fixture
def cases() -> LinkingCases:
    cases = LinkingCases()
    cases.add("10000001", contact=CALLER, title="Parcel lost")
    cases.add("10000005", contact="bob@example.com", title="Bob's broken router")
    return cases


def handoff(**given: str) -> Any:
    values = {"phone": CALLER, "origin": "Voice", **given}
    return tracker(
        intent="ivr_handoff",
        entities=[entity(name, value) for name, value in values.items()],
        metadata={"is_external": True},
        sender=CONVERSATION,
    )


async def run(cases: FakeCases, settings: ActionSettings, t: Any) -> tuple[list[Any], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionIvrHandoff(cases, settings).run(dispatcher, t, {})
    return events, dispatcher.messages


async def test_caller_who_chose_open_case_gets_the_form_with_contact_and_origin_set(
    cases, settings
):
    events, messages = await run(cases, settings, handoff(handoff_intent="open_case"))

    assert events == [
        SlotSet("contact", CALLER),
        SlotSet("origin", "Voice"),
        SlotSet("channel", "whatsapp"),
        SlotSet("role", "customer"),
        SlotSet("case_ref", None),
        FollowupAction("case_form"),
    ]
    assert responses(messages) == ["utter_ivr_handoff_open_case"]


async def test_the_callers_case_is_linked_to_the_call_and_named(cases, settings):
    events, messages = await run(
        cases, settings, handoff(case_ref="10000001", contact_arn=CONTACT_ARN)
    )

    assert cases.links == [("10000001", CONTACT_ARN)]
    assert SlotSet("case_ref", "10000001#id-10000001") in events
    assert not any(event.get("event") == "followup" for event in events)
    assert responses(messages) == ["utter_ivr_handoff_case"]
    assert messages[0]["case_ref"] == "10000001"


async def test_someone_elses_case_is_neither_linked_nor_mentioned(cases, settings):
    events, messages = await run(
        cases, settings, handoff(case_ref="10000005", contact_arn=CONTACT_ARN)
    )

    assert cases.links == []
    assert SlotSet("case_ref", None) in events
    assert responses(messages) == ["utter_ivr_handoff"]
    assert "10000005" not in str(messages)


async def test_a_back_end_that_is_down_still_greets_the_caller(cases, settings):
    cases.failure = BackendUnavailable("down")

    events, messages = await run(
        cases,
        settings,
        handoff(case_ref="10000001", contact_arn=CONTACT_ARN, handoff_intent="open_case"),
    )

    assert SlotSet("contact", CALLER) in events
    assert events[-1] == FollowupAction("case_form")
    assert responses(messages) == ["utter_ivr_handoff_open_case"]


async def test_a_failed_link_keeps_the_case_for_the_conversation(cases, settings):
    class FailingLinks(LinkingCases):
        async def link_contact(self, ref: CaseRef, contact_id: str) -> None:
            raise BackendUnavailable("related items down")

    failing = FailingLinks()
    failing.add("10000001", contact=CALLER)

    events, messages = await run(
        failing, settings, handoff(case_ref="10000001", contact_arn=CONTACT_ARN)
    )

    assert SlotSet("case_ref", "10000001#id-10000001") in events
    assert responses(messages) == ["utter_ivr_handoff_case"]


async def test_a_caller_number_the_template_refuses_sets_no_contact(cases, settings):
    events, _ = await run(cases, settings, handoff(phone="not a number"))

    assert not any(event.get("name") == "contact" for event in events)
    assert SlotSet("origin", "Voice") in events


def test_entity_values_keep_the_first_non_blank_value_of_each():
    t = tracker(
        entities=[entity("case_ref", " "), entity("case_ref", "1"), entity("case_ref", "2")]
    )

    assert entity_values(t) == {"case_ref": "1"}
