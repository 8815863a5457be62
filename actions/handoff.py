"""Handing a conversation to a person.

``action_request_human`` puts the relevant case (the one being talked about, else the last one
opened in this conversation) on the ``HANDOFF_QUEUE`` queue, attaches the conversation so far
as a comment, tells the user what happens next, and pauses the conversation: Rasa records the
messages that keep arriving but answers none of them.

The person who takes over releases the conversation through Rasa's HTTP API (token-protected)::

    POST /conversations/{conversation_id}/tracker/events?token=<RASA_API_TOKEN>
    {"event": "resume"}

after which the assistant answers again from the next message on. The action ends the turn
with ``action_listen`` before pausing, so that next message is understood as a fresh turn,
whatever arrived in between.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from actions.kit.access import Viewer, viewer_of, visible_case
from actions.kit.base import CaseAction
from actions.kit.handles import handle_of, parse_handle
from actions.kit.sdk import (
    ActionExecuted,
    CollectingDispatcher,
    ConversationPaused,
    DomainDict,
    EventType,
    SlotSet,
    Tracker,
)
from actions.kit.slots import CASE_REF
from actions.kit.target import requested_handle
from cases.backend import BackendError, Case

logger = logging.getLogger(__name__)

#: how many of the latest turns (a user message and the replies to it) the transcript keeps
TRANSCRIPT_TURNS = 50


def transcript(events: Iterable[dict[str, Any]], bot_name: str = "casebot") -> str:
    """The conversation's messages as plain text, one per line, the latest turns only."""
    turns: list[list[str]] = []
    for event in events:
        text = event.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        line = " ".join(text.split())
        if event.get("event") == "user":
            turns.append([f"Customer: {line}"])
        elif event.get("event") == "bot":
            if not turns:
                turns.append([])
            turns[-1].append(f"{bot_name}: {line}")
    return "\n".join(line for turn in turns[-TRANSCRIPT_TURNS:] for line in turn)


def paused() -> list[EventType]:
    """The turn ends listening, then the conversation pauses until someone resumes it."""
    return [ActionExecuted("action_listen"), ConversationPaused()]


class ActionRequestHuman(CaseAction):
    """Puts the case in front of a person, with the conversation, and pauses the assistant."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Queue the case and attach the transcript; pause whether or not there is a case."""
        settings = self._services.settings
        viewer = viewer_of(tracker, settings.default_phone_region)
        try:
            case = await self._case(viewer, tracker)
        except BackendError as exc:
            logger.warning("handoff without a case: %s: %s", type(exc).__name__, exc)
            case = None
        if case is None:
            dispatcher.utter_message(response="utter_handoff_no_case")
            return paused()
        backend = self._services.backend
        actor = viewer.actor()
        try:
            await backend.update_case(case, {"assigned_queue": settings.handoff_queue}, actor)
            text = transcript(tracker.events, self._services.case_settings.assistant_name)
            if text:
                await backend.add_comment(case, f"Chat before handoff:\n{text}", actor)
        except BackendError as exc:
            logger.warning("case %s not queued: %s: %s", case.ref, type(exc).__name__, exc)
            dispatcher.utter_message(response="utter_handoff_no_case")
            return paused()
        dispatcher.utter_message(response="utter_handoff_case", case_ref=case.ref)
        return [SlotSet(CASE_REF, handle_of(case)), *paused()]

    async def _case(self, viewer: Viewer, tracker: Tracker) -> Case | None:
        backend = self._services.backend
        handle = requested_handle(tracker)
        if handle is not None:
            try:
                return await visible_case(backend, viewer, *parse_handle(handle))
            except BackendError:
                # a reference the viewer may not see (or several they may) is no reason to
                # refuse a person
                pass
        if viewer.opened_cases:
            return await visible_case(backend, viewer, *parse_handle(viewer.opened_cases[-1]))
        return None
