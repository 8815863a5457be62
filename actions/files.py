"""Files users send, attached to their case: ``action_share_file`` and ``action_attach_files``.

The gateway turns an image or document a user sends into the intent ``share_file`` (its
caption, when the user wrote one, as the entity ``caption``) and lists the downloaded files
in the message's metadata. Where the file goes:

- while the case form runs, ``validate_case_form`` keeps it in ``pending_files`` and
  ``action_create_case`` attaches it once the case is open;
- when the conversation is about a case the user may see (``case_ref``), it is attached at once;
- otherwise it waits in ``pending_files`` and the user picks one of their cases (a button that
  sends ``attach_files`` with the case's reference) or opens a new case.

What the user wrote with a file goes on the case as a comment, unless it answered the form.
A user who types ``/share_file`` sends no files (only the gateway lists them), so is answered
as a message not understood; ``/attach_files`` only ever attaches the user's own waiting files
to a case the user may see.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from actions.changes import CLOSED
from actions.ivr import NOT_UNDERSTOOD, entity_values
from actions.kit.access import Viewer, own_cases, viewer_of, visible_case
from actions.kit.media import (
    FileRefused,
    SharedFile,
    gateway_media,
    names,
    read_attachment,
    real_caption,
    slot_files,
)
from actions.kit.media import shared_file as to_shared_file
from actions.kit.sdk import Action, CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.services import CaseServices
from actions.kit.settings import ActionSettings
from actions.kit.slots import CASE_REF, DESCRIPTION, PENDING_FILES, REQUESTED_SLOT, TITLE
from cases.backend import BackendError, CaseBackend, CaseNotFound, InvalidCase

logger = logging.getLogger(__name__)

CAPTION = "caption"
#: the case form's questions a caption answers
CAPTION_ANSWERS = (TITLE, DESCRIPTION)
#: cases offered as buttons besides "Open a new case" (WhatsApp shows at most three buttons)
CASES_OFFERED = 2


def received_files(
    tracker: Tracker, dispatcher: CollectingDispatcher, *, with_caption: bool = True
) -> list[SharedFile]:
    """The usable files of the latest message; each one refused is explained to the user.

    The caption the user wrote goes with the first file, unless ``with_caption`` is false
    (it answered the case form instead).
    """
    files: list[SharedFile] = []
    for entry in gateway_media(tracker.latest_message.get("metadata")):
        try:
            files.append(to_shared_file(entry))
        except FileRefused as refused:
            dispatcher.utter_message(
                response="utter_file_refused", file_name=refused.name, reason=refused.reason
            )
    caption = real_caption(entity_values(tracker).get(CAPTION)) if with_caption else None
    if files and caption:
        files[0] = replace(files[0], caption=caption)
    return files


def pending_with(tracker: Tracker, files: list[SharedFile]) -> list[dict[str, str]]:
    """The ``pending_files`` slot with ``files`` added (each path once)."""
    kept = slot_files(tracker.get_slot(PENDING_FILES))
    known = {file.path for file in kept}
    return [file.as_slot() for file in [*kept, *(f for f in files if f.path not in known)]]


def keep_for_new_case(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
    """While the case form runs: keep the files for the case it opens, and say so."""
    # a caption answers the title or description when the form asks for one (forms.py)
    answered = tracker.get_slot(REQUESTED_SLOT) in CAPTION_ANSWERS
    files = received_files(tracker, dispatcher, with_caption=not answered)
    if not files:
        # each refusal is explained already; setting the slot unchanged keeps the form going
        # (a turn that sets nothing is a rejected form turn, answered as not understood)
        return [SlotSet(PENDING_FILES, tracker.get_slot(PENDING_FILES))]
    dispatcher.utter_message(response="utter_files_kept_for_case", file_names=names(files))
    return [SlotSet(PENDING_FILES, pending_with(tracker, files))]


@dataclass
class Outcome:
    """What became of files sent to one case."""

    attached: list[SharedFile] = field(default_factory=list)
    #: files the case system could not take now (down, throttled); worth sending again later
    failed: list[SharedFile] = field(default_factory=list)


async def attach_files(
    backend: CaseBackend,
    settings: ActionSettings,
    ref: str,
    files: list[SharedFile],
    viewer: Viewer,
    dispatcher: CollectingDispatcher,
) -> Outcome:
    """Attach each file to case ``ref`` and tell the user how it went."""
    outcome = Outcome()
    for file in files:
        try:
            attachment = read_attachment(
                file, settings.actions_media_dir, settings.attachment_max_bytes
            )
            await backend.attach_file(ref, attachment, viewer.actor())
        except FileRefused as refused:
            dispatcher.utter_message(
                response="utter_file_refused", file_name=refused.name, reason=refused.reason
            )
            continue
        except InvalidCase as exc:
            logger.info("file not attached to %s: %s", ref, exc)
            dispatcher.utter_message(
                response="utter_file_refused",
                file_name=file.name,
                reason="our case system would not take it.",
            )
            continue
        except BackendError as exc:
            logger.warning("file not attached to %s: %s", ref, type(exc).__name__)
            outcome.failed.append(file)
            continue
        outcome.attached.append(file)
        if file.caption:
            await _add_caption(backend, ref, file, viewer)
    if outcome.attached:
        dispatcher.utter_message(
            response="utter_file_attached", file_names=names(outcome.attached), case_ref=ref
        )
    if outcome.failed:
        dispatcher.utter_message(
            response="utter_file_not_attached", file_names=names(outcome.failed), case_ref=ref
        )
    return outcome


async def _add_caption(backend: CaseBackend, ref: str, file: SharedFile, viewer: Viewer) -> None:
    # the words sent with a file are as much the customer's as the file; the file matters more
    try:
        await backend.add_comment(
            ref, f"The customer wrote with {file.name}: {file.caption}", viewer.actor()
        )
    except BackendError as exc:
        logger.warning("caption of a file not added to %s: %s", ref, type(exc).__name__)


class ActionShareFile(Action):
    """Attach what the user sent to the case at hand, or ask which case it is for."""

    def __init__(
        self, backend: CaseBackend | None = None, settings: ActionSettings | None = None
    ) -> None:
        super().__init__()
        self._services = CaseServices(backend, settings)

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_share_file"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Attach at once to the conversation's case; otherwise keep the files and ask."""
        if not gateway_media(tracker.latest_message.get("metadata")):
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []
        files = received_files(tracker, dispatcher)
        if not files:
            return []
        settings = self._services.settings
        viewer = viewer_of(tracker, settings.default_phone_region)
        backend = self._services.backend
        ref = tracker.get_slot(CASE_REF)
        if isinstance(ref, str) and ref.strip():
            try:
                case = await visible_case(backend, viewer, ref.strip())
            except CaseNotFound:
                case = None
            except BackendError as exc:
                logger.warning("case %s not read for a file: %s", ref, type(exc).__name__)
                case = None
            if case is not None:
                await attach_files(backend, settings, case.ref, files, viewer, dispatcher)
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
                "payload": f'/attach_files{{"case_ref": "{case.ref}"}}',
            }
            # a closed case is not offered for new files
            for case in [c for c in cases if c.status.lower() != CLOSED][:CASES_OFFERED]
        ]
        buttons.append({"title": "Open a new case", "payload": "/open_case"})
        response = "utter_ask_file_case" if len(buttons) > 1 else "utter_offer_case_for_file"
        dispatcher.utter_message(response=response, file_names=names(files), buttons=buttons)
        return [SlotSet(PENDING_FILES, pending_with(tracker, files))]


class ActionAttachFiles(Action):
    """Attach the files waiting in ``pending_files`` to the case the user picked."""

    def __init__(
        self, backend: CaseBackend | None = None, settings: ActionSettings | None = None
    ) -> None:
        super().__init__()
        self._services = CaseServices(backend, settings)

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_attach_files"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Attach to the case named by ``case_ref``, if the user may see it."""
        files = slot_files(tracker.get_slot(PENDING_FILES))
        if not files:
            dispatcher.utter_message(response="utter_no_files_waiting")
            return []
        ref = entity_values(tracker).get(CASE_REF)
        if ref is None:
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []
        settings = self._services.settings
        viewer = viewer_of(tracker, settings.default_phone_region)
        backend = self._services.backend
        try:
            case = await visible_case(backend, viewer, ref)
        except CaseNotFound:
            dispatcher.utter_message(response="utter_case_not_found", case_ref=ref)
            return []
        except BackendError:
            dispatcher.utter_message(
                response="utter_file_not_attached", file_names=names(files), case_ref=ref
            )
            return []
        outcome = await attach_files(backend, settings, case.ref, files, viewer, dispatcher)
        still = [file.as_slot() for file in outcome.failed]
        return [SlotSet(PENDING_FILES, still or None), SlotSet(CASE_REF, case.ref)]
