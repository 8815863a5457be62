from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.triggered import ActionCaseFiled


def tracker(entities: list[dict[str, Any]], opened: list[str] | None = None) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "whatsapp:447700900123",
            "slots": {"opened_cases": opened, "case_ref": None},
            "latest_message": {
                "intent": {"name": "case_filed"},
                "entities": entities,
                # as Rasa records a turn the gateway starts through trigger_intent
                "text": "EXTERNAL: case_filed",
                "metadata": {"is_external": True},
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def test_filed_case_is_announced_and_remembered_as_opened_here() -> None:
    dispatcher = CollectingDispatcher()

    events = await ActionCaseFiled().run(
        dispatcher, tracker([{"entity": "case_ref", "value": "10000042"}], ["10000001"]), {}
    )

    assert [m["response"] for m in dispatcher.messages] == ["utter_case_filed_later"]
    assert dispatcher.messages[0]["case_ref"] == "10000042"
    assert events == [
        SlotSet("case_ref", "10000042"),
        SlotSet("opened_cases", ["10000001", "10000042"]),
    ]


async def test_the_same_case_announced_twice_is_remembered_once() -> None:
    events = await ActionCaseFiled().run(
        CollectingDispatcher(),
        tracker([{"entity": "case_ref", "value": "10000042"}], ["10000042"]),
        {},
    )

    assert SlotSet("opened_cases", ["10000042"]) in events


async def test_without_a_reference_the_notice_still_goes_out_and_nothing_is_set() -> None:
    dispatcher = CollectingDispatcher()

    events = await ActionCaseFiled().run(dispatcher, tracker([]), {})

    assert [m["response"] for m in dispatcher.messages] == ["utter_case_filed_later_no_ref"]
    assert events == []
