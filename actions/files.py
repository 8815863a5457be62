"""Files users send, attached to their case: ``action_share_file`` and ``action_attach_files``.

The gateway turns an image or document a user sends into the intent ``share_file`` (its
caption, when the user wrote one, as the entity ``caption``) and lists the downloaded files
in the message's metadata. Where the file goes:

- while the case form runs, ``validate_case_form`` keeps it in ``pending_files`` and
  ``action_create_case`` attaches it once the case is open;
- when the conversation is about a case the user may see (``case_ref``), it is attached at once;
- otherwise it waits in ``pending_files`` and the user picks one of their cases (a button that
  sends ``attach_files`` with the case's reference) or opens a new case. A customer who names a
  case they may not see is offered a one-time code, as for a status or a change, and the files
  still waiting go to the case once the code is right.

What the user wrote with a file goes on the case as a comment, unless it answered the form.
A user who types ``/share_file`` sends no files (only the gateway lists them), so is answered
as a message not understood; ``/attach_files`` only ever attaches the user's own waiting files
to a case the user may see.
"""

from __future__ import annotations

import logging

from actions.kit.access import CaseToChoose, Viewer, own_cases, viewer_of, visible_case
from actions.kit.attachments import attach_files, pending_with, received_files
from actions.kit.base import NOT_UNDERSTOOD, CaseAction, GatewayAction
from actions.kit.handles import handle_of, parse_handle, shown_ref
from actions.kit.media import SharedFile, gateway_media, names, slot_files
from actions.kit.message import entity_values
from actions.kit.otp import offer_after, resume_done, resumed
from actions.kit.sdk import CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.slots import CASE_REF, PENDING_FILES
from actions.kit.status import CLOSED
from actions.kit.target import ask_which, requested_handle
from cases.backend import BackendError, CaseBackend, CaseNotFound

logger = logging.getLogger(__name__)

#: cases offered as buttons besides "Open a new case" (WhatsApp shows at most three buttons)
CASES_OFFERED = 2


class ActionShareFile(GatewayAction):
    """Attach what the user sent to the case at hand, or ask which case it is for."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_share_file"

    def from_gateway(self, tracker: Tracker) -> bool:
        """Whether the message lists files, which only the gateway can do."""
        return bool(gateway_media(tracker.latest_message.get("metadata")))

    async def run_from_gateway(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Attach at once to the conversation's case; otherwise keep the files and ask."""
        files = received_files(tracker, dispatcher)
        if not files:
            return []
        settings = self._services.settings
        viewer = viewer_of(tracker, settings.default_phone_region)
        backend = self._services.backend
        ref = tracker.get_slot(CASE_REF)
        if isinstance(ref, str) and ref.strip():
            try:
                case = await visible_case(backend, viewer, *parse_handle(ref))
            except CaseNotFound:
                case = None
            except BackendError as exc:
                logger.warning("case not read for a file: %s", type(exc).__name__)
                case = None
            if case is not None:
                await attach_files(backend, settings, case, files, viewer, dispatcher)
                return []
        return await self._ask_which_case(backend, viewer, tracker, files, dispatcher)

    async def _ask_which_case(
        self,
        backend: CaseBackend,
        viewer: Viewer,
        tracker: Tracker,
        files: list[SharedFile],
        dispatcher: CollectingDispatcher,
    ) -> list[EventType]:
        try:
            cases = [] if viewer.is_agent else await own_cases(backend, viewer)
        except BackendError as exc:
            logger.warning("cases not listed for a file: %s", type(exc).__name__)
            cases = []
        buttons = [
            {
                "title": case.ref,
                "payload": f'/attach_files{{"case_ref": "{handle_of(case)}"}}',
            }
            # a closed case is not offered for new files
            for case in [c for c in cases if c.status.lower() != CLOSED][:CASES_OFFERED]
        ]
        buttons.append({"title": "Open a new case", "payload": "/open_case"})
        response = "utter_ask_file_case" if len(buttons) > 1 else "utter_offer_case_for_file"
        dispatcher.utter_message(response=response, file_names=names(files), buttons=buttons)
        return [SlotSet(PENDING_FILES, pending_with(tracker, files))]


class ActionAttachFiles(CaseAction):
    """Attach the files waiting in ``pending_files`` to the case the user picked."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_attach_files"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Attach to the case named by ``case_ref``, if the user may see it; to one they may not,
        a code is offered as for any request, and a right one attaches the files then."""
        waiting = resumed(tracker, "attach_files")
        done = resume_done() if waiting is not None else []
        return [*done, *await self._attach(dispatcher, tracker, waiting is not None)]

    async def _attach(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, after_code: bool
    ) -> list[EventType]:
        files = slot_files(tracker.get_slot(PENDING_FILES))
        if not files:
            dispatcher.utter_message(response="utter_no_files_waiting")
            return []
        # after a right code the case is the one it proved, which the code action set
        ref = requested_handle(tracker) if after_code else entity_values(tracker).get(CASE_REF)
        if ref is None:
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []
        settings = self._services.settings
        viewer = viewer_of(tracker, settings.default_phone_region)
        backend = self._services.backend
        try:
            case = await visible_case(backend, viewer, *parse_handle(ref))
        except CaseToChoose as choice:
            ask_which(dispatcher, choice)
            return []
        except CaseNotFound as exc:
            # the files wait in pending_files, which nothing on the way to the code touches
            offered = offer_after(exc, dispatcher, tracker, self._services, "attach_files")
            if offered is not None:
                return offered
            dispatcher.utter_message(response="utter_case_not_found", case_ref=shown_ref(ref))
            return []
        except BackendError:
            dispatcher.utter_message(
                response="utter_file_not_attached",
                file_names=names(files),
                case_ref=shown_ref(ref),
            )
            return []
        outcome = await attach_files(backend, settings, case, files, viewer, dispatcher)
        still = [file.as_slot() for file in outcome.failed]
        return [SlotSet(PENDING_FILES, still or None), SlotSet(CASE_REF, handle_of(case))]
