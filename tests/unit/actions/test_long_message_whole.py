"""A description far longer than Rasa reads reaches the case whole.

The gateway sends Rasa the start of a long message and the whole text as the metadata key
``full_text`` (``tests/unit/api/test_rasa_message_prefix.py``); Rasa fills the description
from the start it read, and the action server puts the whole text back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr
from rasa_sdk.events import SlotSet, UserUttered

from actions.cases import ActionCreateCase
from actions.changes import ValidateCommentForm
from actions.forms import ValidateCaseForm
from actions.kit.message import latest_text
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from api.conversation import Inbound, converse
from api.rasa import RasaClient
from tests.unit.actions.fakes import tracker

LoadTracker = Callable[..., Tracker]
DOMAIN: dict[str, Any] = {"forms": {"case_form": {"required_slots": ["description"]}}}
DESCRIPTION = "The router restarts and every light blinks, then the line drops. " * 470


async def told_rasa(text: str) -> dict[str, Any]:
    """What the gateway sends Rasa for a webchat message of ``text``."""
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=[])

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    rasa = RasaClient(http, "http://rasa.test", SecretStr("t"), 2_000)
    await converse(rasa, Inbound(channel="webchat", sender="s1", text=text, origin="webchat"))
    [body] = bodies
    return body


def as_rasa_reads(tracker: Tracker, body: dict[str, Any], intent: str = "inform") -> Tracker:
    """``tracker`` with ``body`` as its latest message, as Rasa keeps it (text stripped)."""
    tracker.latest_message = {
        "text": body["message"].strip(),
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "metadata": body["metadata"],
    }
    return tracker


async def test_a_30k_description_answered_in_the_form_reaches_the_case_whole(
    backend: Any, settings: ActionSettings, load_tracker: LoadTracker
) -> None:
    assert len(DESCRIPTION) > 30_000
    body = await told_rasa(DESCRIPTION)
    read = body["message"].strip()
    assert len(read) <= 2_000
    answered = [
        UserUttered(read, {"intent": {"name": "inform"}, "metadata": body["metadata"]}),
        SlotSet("description", read),
    ]
    asked = as_rasa_reads(load_tracker("webchat_form_in_progress", events=answered), body)

    events = await ValidateCaseForm(backend, settings).run(CollectingDispatcher(), asked, DOMAIN)

    assert SlotSet("description", DESCRIPTION.strip()) in events
    confirmed = load_tracker("confirmed_case", slots={"description": DESCRIPTION.strip()})
    await ActionCreateCase(backend, settings).run(CollectingDispatcher(), confirmed, {})
    [(draft, _)] = backend.creates
    assert draft.description == DESCRIPTION.strip()


async def test_a_30k_story_that_opens_the_form_is_the_whole_description(
    backend: Any, settings: ActionSettings
) -> None:
    body = await told_rasa("I want to open a case: " + DESCRIPTION)
    opened = as_rasa_reads(tracker(), body, intent="open_case")

    found = await ValidateCaseForm(backend, settings).extract_description(
        CollectingDispatcher(), opened, DOMAIN
    )

    assert found == {"description": DESCRIPTION.strip()}


def test_the_whole_text_is_believed_only_where_it_begins_with_what_rasa_read() -> None:
    whole = "x" * 5_000

    assert latest_text(tracker(text="x" * 2_000, metadata={"full_text": whole})) == whole
    assert latest_text(tracker(text="hello", metadata={"full_text": whole})) == "hello"
    assert latest_text(tracker(text="hello", metadata={"full_text": 42})) == "hello"
    assert latest_text(tracker(text="hello", metadata={"client": {"full_text": "hello!"}})) == (
        "hello"
    )


async def test_a_30k_comment_reaches_the_case_whole() -> None:
    body = await told_rasa(DESCRIPTION)
    read = body["message"].strip()
    asked = as_rasa_reads(tracker(slots={"requested_slot": "comment_text"}), body)

    checked = await ValidateCommentForm().validate_comment_text(
        read, CollectingDispatcher(), asked, {}
    )

    assert checked == {"comment_text": DESCRIPTION.strip()}


async def test_a_30k_comment_given_with_the_request_is_taken_whole() -> None:
    body = await told_rasa("add a note to my case: " + DESCRIPTION)
    asked = as_rasa_reads(tracker(), body, intent="add_case_comment")

    found = await ValidateCommentForm().extract_comment_text(CollectingDispatcher(), asked, {})

    assert found == {"comment_text": DESCRIPTION.strip()}
