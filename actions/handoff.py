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

Asked for in the middle of the case form, before any case exists, the person gets what the
customer told the form so far: it is filed as a case (``actions.kit.unfinished``: the title and
description as written, a required value never given filled only from the template's default,
and a note on the case saying which) and that case is queued. With no contact to reach the
customer on, nothing is filed and the conversation is handed over as it stands.

With ``HANDOFF_MODE=connect_chat`` the case is queued the same way, and a live Amazon Connect
chat is started for the customer (the conversation so far as its first message, the case,
channel and conversation as its attributes), linked to the case as a contact, and handed to the
gateway in the reply (``actions.kit.livechat``); the conversation pauses while the chat lasts.
When no chat can start (the flow's quota is reached, the service fails), the customer is told
at once that the team will reply on the case, and the assistant does not pause.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from actions.kit.access import Viewer, viewer_of, visible_case
from actions.kit.attachments import attach_pending
from actions.kit.base import CaseAction
from actions.kit.handles import handle_of, parse_handle
from actions.kit.idempotency import case_idempotency_key, form_run_started_at
from actions.kit.livechat import (
    LiveChat,
    chat_attributes,
    customer_name,
    handoff_key,
    live_chat_payload,
    process_live_chat,
)
from actions.kit.message import entity_values
from actions.kit.metrics import CASES_CREATED
from actions.kit.sdk import (
    ActionExecuted,
    CollectingDispatcher,
    ConversationPaused,
    DomainDict,
    EventType,
    SlotSet,
    Tracker,
)
from actions.kit.settings import ActionSettings
from actions.kit.slots import CASE_REF, OPENED_CASES, RESET_AFTER_CREATE, cleared, opened_with
from actions.kit.target import requested_handle
from actions.kit.unfinished import form_interrupted, unfinished_case
from cases.backend import BackendError, Case, CaseBackend
from cases.settings import CaseSettings
from cases.template import load_template_spec

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

    def __init__(
        self,
        backend: CaseBackend | None = None,
        settings: ActionSettings | None = None,
        case_settings: CaseSettings | None = None,
        *,
        chat: LiveChat | None = None,
    ) -> None:
        super().__init__(backend, settings, case_settings)
        self._chat = chat

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Queue the case and attach the transcript; then pause, or start a live chat."""
        settings = self._services.settings
        viewer = viewer_of(tracker, settings.default_phone_region)
        text = transcript(tracker.events, self._services.case_settings.assistant_name)
        filed, note, events = await self._file_unfinished(dispatcher, tracker)
        case = await self._queued(viewer, tracker, text, filed, note)
        if settings.handoff_mode == "connect_chat":
            return [*events, *await self._live(dispatcher, tracker, viewer, case, text)]
        if case is None:
            dispatcher.utter_message(response="utter_handoff_no_case")
            return [*events, *paused()]
        if filed is not None:
            dispatcher.utter_message(response="utter_handoff_filed_case", case_ref=case.ref)
        else:
            dispatcher.utter_message(response="utter_handoff_case", case_ref=case.ref)
        return [*events, SlotSet(CASE_REF, handle_of(case)), *paused()]

    async def _file_unfinished(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[Case | None, str, list[EventType]]:
        """File what the case form collected when the request came from inside it: the case,
        the note saying what the customer did not give, and the slots of a case now open."""
        if not form_interrupted(tracker.events) or entity_values(tracker).get(CASE_REF):
            return None, "", []
        services = self._services
        region = services.settings.default_phone_region
        spec = load_template_spec(services.case_settings.case_template_file)
        unfinished = unfinished_case(tracker, await services.form_template(), spec, region)
        if unfinished is None:
            logger.info("handoff from the case form with too little to file a case")
            return None, "", []
        key = case_idempotency_key(
            tracker.sender_id, form_run_started_at(tracker.events), unfinished.draft
        )
        try:
            case = await asyncio.wait_for(
                services.backend.create_case(unfinished.draft, key),
                services.settings.create_deadline_seconds,
            )
        except (BackendError, TimeoutError) as exc:
            # the form's answers stay in their slots: the person sees them in the conversation
            logger.warning("unfinished case not filed: %s: %s", type(exc).__name__, exc)
            return None, "", []
        CASES_CREATED.inc()
        opened = [
            *cleared(RESET_AFTER_CREATE),
            SlotSet(OPENED_CASES, opened_with(tracker, handle_of(case))),
            # the files sent while the form ran
            *await attach_pending(services, tracker, case, dispatcher),
        ]
        return case, unfinished.note(), opened

    async def _queued(
        self, viewer: Viewer, tracker: Tracker, text: str, filed: Case | None, note: str
    ) -> Case | None:
        """The case, once on the handoff queue with the chat attached; None if it is not."""
        try:
            case = filed or await self._case(viewer, tracker)
        except BackendError as exc:
            logger.warning("handoff without a case: %s: %s", type(exc).__name__, exc)
            return None
        if case is None:
            return None
        backend = self._services.backend
        actor = viewer.actor()
        comment = "\n\n".join(
            part for part in (note, text and f"Chat before handoff:\n{text}") if part
        )
        try:
            await backend.update_case(
                case, {"assigned_queue": self._services.settings.handoff_queue}, actor
            )
            if comment:
                await backend.add_comment(case, comment, actor)
        except BackendError as exc:
            logger.warning("case %s not queued: %s: %s", case.ref, type(exc).__name__, exc)
            return None
        return case

    async def _live(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        viewer: Viewer,
        case: Case | None,
        text: str,
    ) -> list[EventType]:
        """Start a chat with a person and hand it to the gateway; if none can start, say so
        and stay: a customer told to wait for a person nobody will send waits for nothing."""
        remembered: list[EventType] = [] if case is None else [SlotSet(CASE_REF, handle_of(case))]
        try:
            chat = self._chat or process_live_chat()
            start = await chat.start(
                customer_name(tracker), chat_attributes(viewer, case), text, handoff_key(tracker)
            )
        except BackendError as exc:
            logger.warning("no live chat: %s: %s", type(exc).__name__, exc)
            if case is None:
                dispatcher.utter_message(response="utter_handoff_chat_unavailable")
            else:
                dispatcher.utter_message(
                    response="utter_handoff_chat_unavailable_case", case_ref=case.ref
                )
            return remembered
        if case is not None and start.contact_arn is not None:
            try:
                await self._services.backend.link_contact(case, start.contact_arn)
            except BackendError as exc:
                # the agent still sees the case reference among the chat's attributes
                logger.warning(
                    "chat not linked to case %s: %s: %s", case.ref, type(exc).__name__, exc
                )
        if case is not None:
            dispatcher.utter_message(response="utter_handoff_chat_case", case_ref=case.ref)
        else:
            dispatcher.utter_message(response="utter_handoff_chat")
        dispatcher.utter_message(json_message=live_chat_payload(start, case))
        return [*remembered, *paused()]

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
