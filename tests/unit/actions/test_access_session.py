"""The contact a session starts with comes from what the gateway vouches for."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.cases import ActionCancelCase
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.session import ActionSessionStart
from tests.unit.actions.fakes import webchat_identity, whatsapp


def starting(metadata: dict[str, Any]) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "whatsapp:447700900123",
            "slots": {"session_started_metadata": metadata},
            "events": [SlotSet("session_started_metadata", metadata)],
        }
    )


@pytest.mark.parametrize(
    ("metadata", "contact"),
    [
        (whatsapp("+44 7700 900123"), "+447700900123"),
        (webchat_identity(email="Ann@example.org"), "Ann@example.org"),
        (webchat_identity(email="ann@example.org", phone="+447700900123"), "+447700900123"),
        ({"channel": "webchat", "client": {"contact": "ann@example.org"}}, None),
    ],
)
async def test_session_contact_comes_from_the_gateway_only(
    settings: ActionSettings, metadata: dict[str, Any], contact: str | None
) -> None:
    events = await ActionSessionStart(settings=settings).run(
        CollectingDispatcher(), starting(metadata), {}
    )

    filled = [e["value"] for e in events if e.get("name") == "contact"]
    assert filled == ([contact] if contact else [])


async def test_a_cancelled_case_gives_back_the_whatsapp_number_as_contact(
    settings: ActionSettings,
) -> None:
    tracker = starting(whatsapp())
    tracker.slots["contact"] = "typo@example"

    events = await ActionCancelCase(settings=settings).run(CollectingDispatcher(), tracker, {})

    assert events[-1] == SlotSet("contact", "+447700900123")
