from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered

from actions.cases import ActionAskConfirmed, ActionCancelCase, ActionCreateCase
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.outbox.sqlite import SqliteOutbox
from cases.backend import (
    BackendError,
    BackendUnavailable,
    CaseDraft,
    CaseNotFound,
    Conflict,
    InvalidCase,
    Throttled,
)

LoadTracker = Callable[..., Tracker]


@pytest.fixture
def broken_outbox(settings: ActionSettings, tmp_path: Path) -> ActionSettings:
    """Settings whose outbox cannot be written (its directory is a file)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    return settings.model_copy(update={"outbox_db": blocker / "outbox.sqlite3"})


class SlowBackend:
    """A back end whose create takes longer than the user is kept waiting."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    async def create_case(self, draft: CaseDraft, key: str) -> Any:
        await asyncio.sleep(self.seconds)
        return await self.inner.create_case(draft, key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


CREATED_EVENTS = [
    SlotSet("case_ref", "00000001#case-00000001"),
    SlotSet("title", None),
    SlotSet("description", None),
    SlotSet("priority", None),
    SlotSet("confirmed", None),
    SlotSet("opened_cases", ["00000001#case-00000001"]),
]
# contact goes back to the one the channel gave (normalised), not to None
DISCARD_EVENTS = [
    SlotSet("title", None),
    SlotSet("description", None),
    SlotSet("priority", None),
    SlotSet("confirmed", None),
    SlotSet("requested_slot", None),
    SlotSet("contact", "+447911123456"),
]


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [message["response"] for message in dispatcher.messages]


async def run_create(
    backend: Any, settings: ActionSettings, tracker: Tracker
) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionCreateCase(backend, settings).run(dispatcher, tracker, {})
    return events, dispatcher


def after_failure(reply_timestamp: float) -> list[dict[str, Any]]:
    """What the tracker gains between a failed create and the user's "yes" again."""
    return [
        ActionExecuted("action_create_case", timestamp=reply_timestamp - 3),
        BotUttered(
            "Sorry, I can't reach our case system right now...", timestamp=reply_timestamp - 2
        ),
        ActionExecuted("action_listen", timestamp=reply_timestamp - 1),
        UserUttered("yes", {"intent": {"name": "affirm"}}, timestamp=reply_timestamp),
    ]


async def test_confirmed_case_is_created_and_its_slots_cleared(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    events, dispatcher = await run_create(backend, settings, load_tracker("confirmed_case"))

    assert events == CREATED_EVENTS
    assert dispatcher.messages == [
        {
            "text": None,
            "buttons": [],
            "elements": [],
            "custom": {},
            "template": "utter_case_created",
            "response": "utter_case_created",
            "image": None,
            "attachment": None,
            "case_ref": "00000001",
        }
    ]


async def test_draft_is_built_from_the_slots_and_the_conversation(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    arn = "arn:aws:profile:us-east-1:111122223333:domains/casebot/profiles/p1"
    await run_create(backend, settings, load_tracker("confirmed_case", slots={"customer_id": arn}))

    [(draft, key)] = backend.creates
    assert draft == CaseDraft(
        title="Router keeps dropping",
        description="The router restarts every hour since Monday.",
        contact="+447911123456",
        priority="High",
        origin="WhatsApp",
        conversation_id="447911123456",
        channel="whatsapp",
        customer_id=arn,
        # the contact is the number the gateway says the conversation is from
        contact_verified=True,
    )
    assert len(key) == 64 and int(key, 16) >= 0


@pytest.mark.parametrize(
    ("error", "response"),
    [
        (
            BackendUnavailable("Connect Cases CreateCase failed: InternalServerException"),
            "utter_case_backend_unavailable",
        ),
        (
            Throttled("Connect Cases CreateCase failed: ThrottlingException"),
            "utter_case_backend_busy",
        ),
        (
            InvalidCase("Connect Cases CreateCase failed: ValidationException"),
            "utter_case_rejected",
        ),
        (Conflict("Connect Cases CreateCase failed: ConflictException"), "utter_case_conflict"),
        (CaseNotFound("odd"), "utter_case_backend_unavailable"),
        (BackendError("anything else"), "utter_case_backend_unavailable"),
    ],
)
async def test_failure_that_cannot_be_queued_keeps_every_slot_and_answers_by_kind(
    backend: Any,
    broken_outbox: ActionSettings,
    load_tracker: LoadTracker,
    error: BackendError,
    response: str,
) -> None:
    backend.failures.append(error)
    settings = broken_outbox

    events, dispatcher = await run_create(backend, settings, load_tracker("confirmed_case"))

    assert events == []
    assert responses(dispatcher) == [response]
    assert all(message["text"] is None for message in dispatcher.messages)
    assert str(error) not in str(dispatcher.messages)


async def test_yes_again_after_a_failure_retries_with_the_same_key(
    backend: Any, broken_outbox: ActionSettings, load_tracker: LoadTracker
) -> None:
    settings = broken_outbox
    backend.failures.append(BackendUnavailable("down"))
    first, _ = await run_create(backend, settings, load_tracker("confirmed_case"))
    assert first == []

    retry = load_tracker("confirmed_case", events=after_failure(1700000200.0))
    events, dispatcher = await run_create(backend, settings, retry)

    assert events == CREATED_EVENTS
    assert responses(dispatcher) == ["utter_case_created"]
    (_, first_key), (_, second_key) = backend.creates
    assert first_key == second_key
    assert len(backend.cases) == 1


async def test_retry_through_the_form_again_keeps_the_key(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    await run_create(backend, settings, load_tracker("confirmed_case"))
    rerun = [
        *after_failure(1700000200.0),
        ActionExecuted("case_form", timestamp=1700000200.1),
        ActiveLoop("case_form", timestamp=1700000200.2),
        ActiveLoop(None, timestamp=1700000200.3),
        SlotSet("requested_slot", None, timestamp=1700000200.3),
    ]

    await run_create(backend, settings, load_tracker("confirmed_case", events=rerun))

    (_, first_key), (_, second_key) = backend.creates
    assert first_key == second_key


async def test_same_draft_in_a_later_form_run_gets_a_new_key(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    await run_create(backend, settings, load_tracker("confirmed_case"))
    later_run = [
        ActionExecuted("action_create_case", timestamp=1700000100.0),
        *CREATED_EVENTS,
        UserUttered("open another case", {"intent": {"name": "open_case"}}, timestamp=1700000300.0),
        ActionExecuted("case_form", timestamp=1700000300.1),
        ActiveLoop("case_form", timestamp=1700000300.2),
        SlotSet("confirmed", True, timestamp=1700000400.0),
        ActiveLoop(None, timestamp=1700000400.1),
    ]

    await run_create(backend, settings, load_tracker("confirmed_case", events=later_run))

    (_, first_key), (_, second_key) = backend.creates
    assert first_key != second_key
    assert len(backend.cases) == 2


async def test_changed_details_after_a_failure_get_a_new_key(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    backend.failures.append(Throttled("slow down"))
    await run_create(backend, settings, load_tracker("confirmed_case"))

    await run_create(
        backend, settings, load_tracker("confirmed_case", slots={"priority": "Critical"})
    )

    (_, first_key), (_, second_key) = backend.creates
    assert first_key != second_key


async def test_declined_case_is_discarded_and_nothing_created(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    events, dispatcher = await run_create(backend, settings, load_tracker("declined_case"))

    assert events == DISCARD_EVENTS
    assert responses(dispatcher) == ["utter_case_discarded"]
    assert backend.creates == []


async def test_incomplete_case_is_not_sent(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    events, dispatcher = await run_create(
        backend, settings, load_tracker("confirmed_case", slots={"description": None})
    )

    assert events == DISCARD_EVENTS
    assert responses(dispatcher) == ["utter_case_incomplete"]
    assert backend.creates == []


async def test_cancel_clears_the_case_and_restores_the_channels_contact(
    settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("confirmed_case", slots={"contact": "typo@example.com"})

    events = await ActionCancelCase(settings=settings).run(dispatcher, tracker, {})

    assert events == DISCARD_EVENTS
    assert responses(dispatcher) == ["utter_case_cancelled"]


async def test_cancel_without_a_channel_contact_clears_the_contact(
    settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    tracker = load_tracker("webchat_form_in_progress", slots={"contact": "a@b.co"})

    events = await ActionCancelCase(settings=settings).run(CollectingDispatcher(), tracker, {})

    assert events[-1] == SlotSet("contact", None)


async def test_ask_confirmed_reads_the_case_back_with_yes_change_and_cancel_buttons(
    load_tracker: LoadTracker,
) -> None:
    long = "The router restarts every hour. " * 40
    dispatcher = CollectingDispatcher()

    events = await ActionAskConfirmed().run(
        dispatcher, load_tracker("confirmed_case", slots={"description": long}), {}
    )

    assert events == []
    [message] = dispatcher.messages
    assert message["buttons"] == [
        {"title": "Yes", "payload": "/affirm"},
        {"title": "Change something", "payload": "/update_case"},
        {"title": "Cancel", "payload": "/cancel"},
    ]
    text = message["text"]
    assert "Title: Router keeps dropping" in text
    assert "Contact: +447911123456" in text
    assert "Priority: High" in text
    assert "Origin: WhatsApp" in text
    description_line = next(line for line in text.splitlines() if line.startswith("Description:"))
    assert description_line.endswith("…")
    assert len(description_line) < 300


async def test_ask_confirmed_leaves_out_an_unknown_origin(load_tracker: LoadTracker) -> None:
    dispatcher = CollectingDispatcher()

    await ActionAskConfirmed().run(
        dispatcher, load_tracker("confirmed_case", slots={"origin": None}), {}
    )

    assert "Origin" not in dispatcher.messages[0]["text"]


QUEUED_EVENTS = [
    SlotSet("title", None),
    SlotSet("description", None),
    SlotSet("priority", None),
    SlotSet("confirmed", None),
]


@pytest.mark.parametrize(
    "error", [BackendUnavailable("down"), Throttled("slow down")], ids=["down", "throttled"]
)
async def test_back_end_down_or_throttling_queues_the_case_and_closes_the_form(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker, error: BackendError
) -> None:
    backend.failures.append(error)

    events, dispatcher = await run_create(backend, settings, load_tracker("confirmed_case"))

    assert responses(dispatcher) == ["utter_case_queued"]
    assert events == QUEUED_EVENTS
    [(draft, key)] = backend.creates
    queued = SqliteOutbox(settings.outbox_db).get(key)
    assert queued is not None
    assert queued.state == "pending"
    assert queued.draft == draft


async def test_create_slower_than_the_deadline_is_queued_not_awaited(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    slow = SlowBackend(backend, seconds=5)
    quick = settings.model_copy(update={"create_deadline_seconds": 0.05})

    events, dispatcher = await run_create(slow, quick, load_tracker("confirmed_case"))

    assert responses(dispatcher) == ["utter_case_queued"]
    assert events == QUEUED_EVENTS
    assert SqliteOutbox(settings.outbox_db).depth() == 1
