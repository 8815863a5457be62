from __future__ import annotations

from rasa_sdk.events import ActiveLoop, SlotSet

from actions.kit.idempotency import case_idempotency_key, form_run_started_at
from cases.backend import CaseDraft

DRAFT = CaseDraft(
    title="Router keeps dropping",
    description="It restarts every hour.",
    contact="+447911123456",
    priority="High",
    origin="WhatsApp",
    conversation_id="447911123456",
    channel="whatsapp",
)


def test_key_is_64_hex_characters_and_stable() -> None:
    key = case_idempotency_key("447911123456", 1700000005.125, DRAFT)

    assert len(key) == 64
    assert set(key) <= set("0123456789abcdef")
    assert key == case_idempotency_key("447911123456", 1700000005.125, DRAFT.model_copy())


def test_key_changes_with_conversation_run_or_draft() -> None:
    key = case_idempotency_key("447911123456", 1.0, DRAFT)

    assert key != case_idempotency_key("447911123457", 1.0, DRAFT)
    assert key != case_idempotency_key("447911123456", 2.0, DRAFT)
    assert key != case_idempotency_key("447911123456", None, DRAFT)
    assert key != case_idempotency_key(
        "447911123456", 1.0, DRAFT.model_copy(update={"priority": "Low"})
    )


def test_run_starts_at_the_first_activation_since_the_last_finished_case() -> None:
    events = [
        ActiveLoop("case_form", timestamp=1.0),
        SlotSet("confirmed", True, timestamp=2.0),
        SlotSet("confirmed", None, timestamp=3.0),  # that case was created
        ActiveLoop("other_form", timestamp=3.5),
        ActiveLoop("case_form", timestamp=4.0),
        ActiveLoop(None, timestamp=5.0),
        ActiveLoop("case_form", timestamp=6.0),  # re-run to retry
    ]

    assert form_run_started_at(events) == 4.0


def test_no_activation_means_no_start() -> None:
    assert form_run_started_at([SlotSet("title", "x", timestamp=1.0)]) is None
