from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.events import SlotSet

from actions.kit.rendering import TEMPLATE_DIR, render
from actions.kit.sdk import CollectingDispatcher
from actions.triggered import ActionCaseUpdated, notice_text
from cases.backend import BackendUnavailable
from tests.unit.actions.fakes import ANN_PHONE, FakeCases, entity, tracker

CONVERSATION = f"whatsapp:{ANN_PHONE.lstrip('+')}"


@pytest.fixture
def cases() -> FakeCases:
    cases = FakeCases()
    cases.add("10000001", contact=ANN_PHONE, title="Parcel lost", status="closed")
    return cases


def notice(slots: dict | None = None, **given: str):
    return tracker(
        intent="case_updated",
        entities=[entity(name, value) for name, value in given.items()],
        # as Rasa marks a turn the gateway starts through trigger_intent
        metadata={"is_external": True},
        sender=CONVERSATION,
        slots=slots,
    )


async def run(cases, settings, t):
    dispatcher = CollectingDispatcher()
    events = await ActionCaseUpdated(cases, settings).run(dispatcher, t, {})
    # the notice's own words; a closed case's rating question is a response of its own
    return events, [message["text"] for message in dispatcher.messages if message.get("text")]


async def test_notice_names_the_case_and_its_new_status_but_never_its_title(cases, settings):
    events, texts = await run(
        cases, settings, notice(case_ref="10000001", status="closed", phone=ANN_PHONE)
    )

    # whoever filed the case wrote the title: it must not reach the number the notice goes to
    assert texts == [
        "Update on your case 10000001: it is now closed.\n"
        "If anything is still not right, just reply here and I'll help."
    ]
    assert SlotSet("case_ref", "10000001") in events
    assert SlotSet("contact", ANN_PHONE) in events
    assert SlotSet("origin", "WhatsApp") in events
    assert SlotSet("channel", "whatsapp") in events


async def test_without_the_back_end_the_notice_goes_without_the_title(cases, settings):
    cases.failure = BackendUnavailable("down")

    _, texts = await run(cases, settings, notice(case_ref="10000001", status="pending"))

    assert texts == [
        "Update on your case 10000001: it is now waiting for a reply.\n"
        "Reply here if you have a question about it."
    ]


async def test_missing_status_is_read_from_the_case(cases, settings):
    _, texts = await run(cases, settings, notice(case_ref="10000001"))

    assert texts[0].startswith("Update on your case 10000001: it is now closed.")


async def test_nothing_is_said_without_a_reference_or_any_status(cases, settings):
    cases.failure = BackendUnavailable("down")

    no_ref = await run(cases, settings, notice(status="closed"))
    no_status = await run(cases, settings, notice(case_ref="10000001"))

    assert no_ref == ([], [])
    assert no_status == ([], [])


async def test_a_title_written_to_mislead_is_not_in_the_notice(cases, settings):
    cases.add("10000002", contact=ANN_PHONE, title="Pay the fee at evil.example now")

    _, texts = await run(cases, settings, notice(case_ref="10000002", status="closed"))

    assert len(texts) == 1
    assert "evil.example" not in texts[0]


def test_unknown_statuses_are_spelled_out():
    first_line = notice_text("CASE-9", "in_review").splitlines()[0]

    assert first_line == "Update on your case CASE-9: it is now in review."


@pytest.mark.parametrize("name", sorted(p.name for p in Path(TEMPLATE_DIR).glob("notice*.j2")))
def test_every_notice_template_renders(name):
    assert render(name, ref="1", title=None, status="open")


async def test_what_the_conversation_knows_of_the_customer_is_kept(cases, settings):
    known = {"origin": "Voice", "contact": "ann@example.org", "role": "customer"}

    events, _ = await run(
        cases, settings, notice(known, case_ref="10000001", status="closed", phone=ANN_PHONE)
    )

    assert events == [
        SlotSet("channel", "whatsapp"),
        SlotSet("case_ref", "10000001"),
        SlotSet("rating_case", "10000001#id-10000001"),
        SlotSet("rating_asked", ["10000001"]),
    ]
