from __future__ import annotations

from typing import Any

from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.session import ActionSessionStart

CARRY_OVER: dict[str, Any] = {"session_config": {"carry_over_slots_to_new_session": True}}
NO_CARRY_OVER: dict[str, Any] = {"session_config": {"carry_over_slots_to_new_session": False}}


def starting(metadata: dict[str, Any] | None, **slots: Any) -> Tracker:
    """A tracker as Rasa hands it to action_session_start: the metadata slot just set."""
    values: dict[str, Any] = {"session_started_metadata": metadata, **slots}
    events = [SlotSet("session_started_metadata", metadata)] if metadata else []
    return Tracker.from_dict({"sender_id": "447911123456", "slots": values, "events": events})


async def start(
    settings: ActionSettings, tracker: Tracker, domain: dict[str, Any] = CARRY_OVER
) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart(settings=settings).run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    return events


async def test_whatsapp_metadata_fills_channel_origin_contact_and_role(
    settings: ActionSettings,
) -> None:
    metadata = {"channel": "whatsapp", "origin": "WhatsApp", "contact": "447911123456"}

    events = await start(settings, starting(metadata))

    assert events == [
        SessionStarted(),
        SlotSet("session_started_metadata", metadata),
        SlotSet("channel", "whatsapp"),
        SlotSet("origin", "WhatsApp"),
        SlotSet("contact", "+447911123456"),
        SlotSet("role", "customer"),
        ActionExecuted("action_listen"),
    ]


async def test_slots_carry_over_before_the_new_metadata(settings: ActionSettings) -> None:
    tracker = starting(
        {"channel": "webchat", "origin": "webchat"},
        contact="ann@example.org",
        case_ref="40961234",
        channel="whatsapp",
        requested_slot="title",
        title=None,
    )

    events = await start(settings, tracker)

    assert events[1:4] == [
        SlotSet("contact", "ann@example.org"),
        SlotSet("case_ref", "40961234"),
        SlotSet("channel", "whatsapp"),
    ]
    assert SlotSet("channel", "webchat") in events[4:]
    assert SlotSet("requested_slot", "title") not in events
    assert SlotSet("title", None) not in events


async def test_nothing_carries_over_when_the_domain_says_so(settings: ActionSettings) -> None:
    events = await start(settings, starting(None, case_ref="40961234"), NO_CARRY_OVER)

    assert events == [
        SessionStarted(),
        SlotSet("role", "customer"),
        ActionExecuted("action_listen"),
    ]


async def test_agent_role_comes_from_metadata(settings: ActionSettings) -> None:
    events = await start(settings, starting({"channel": "webchat", "role": "agent"}))

    assert SlotSet("role", "agent") in events


async def test_unknown_role_falls_back_to_the_carried_one_then_customer(
    settings: ActionSettings,
) -> None:
    carried = await start(settings, starting({"role": "admin"}, role="agent"))
    fresh = await start(settings, starting({"role": "admin"}))

    assert carried[-2] == SlotSet("role", "agent")
    assert fresh[-2] == SlotSet("role", "customer")


async def test_origin_falls_back_to_the_channel_name(settings: ActionSettings) -> None:
    events = await start(settings, starting({"channel": "twilio"}))

    assert SlotSet("origin", "WhatsApp") in events


async def test_unusable_contact_and_origin_are_left_unset(settings: ActionSettings) -> None:
    events = await start(settings, starting({"channel": "sms", "contact": "not a number"}))

    names = [event.get("name") for event in events]
    assert "contact" not in names
    assert "origin" not in names
    assert SlotSet("channel", "sms") in events
