"""Files users send, on their way to a case: kept for a case to come, or attached to one.

The files come from the gateway's metadata (``actions.kit.media``); what the user wrote with a
file goes with the first one as its caption, and on the case as a comment once it is attached.
A file the case took is removed from the media folder (the gateway's, shared) at once: the case
has it now, and nothing reads it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from actions.kit.access import Viewer, viewer_of
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
from actions.kit.message import entity_values
from actions.kit.sdk import CollectingDispatcher, EventType, SlotSet, Tracker
from actions.kit.services import CaseServices
from actions.kit.settings import ActionSettings
from actions.kit.slots import DESCRIPTION, PENDING_FILES, REQUESTED_SLOT, TITLE
from cases.backend import BackendError, Case, CaseBackend, CaseRef, InvalidCase
from common.retention import remove_inside

logger = logging.getLogger(__name__)

CAPTION = "caption"
#: the case form's questions a caption answers
CAPTION_ANSWERS = (TITLE, DESCRIPTION)


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
    # a caption answers the title or description when the form asks for one (actions.forms)
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
    case: CaseRef,
    files: list[SharedFile],
    viewer: Viewer,
    dispatcher: CollectingDispatcher,
) -> Outcome:
    """Attach each file to ``case`` (read before, or a reference) and tell the user how it went."""
    ref = case.ref if isinstance(case, Case) else case
    outcome = Outcome()
    for file in files:
        try:
            attachment = read_attachment(
                file, settings.actions_media_dir, settings.attachment_max_bytes
            )
            await backend.attach_file(case, attachment, viewer.actor())
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
        _forget(file, settings)
        if file.caption:
            await _add_caption(backend, case, file, viewer)
    if outcome.attached:
        dispatcher.utter_message(
            response="utter_file_attached", file_names=names(outcome.attached), case_ref=ref
        )
    if outcome.failed:
        dispatcher.utter_message(
            response="utter_file_not_attached", file_names=names(outcome.failed), case_ref=ref
        )
    return outcome


def _forget(file: SharedFile, settings: ActionSettings) -> None:
    # read_attachment resolved it inside the media folder, or it would not have been attached
    try:
        if not remove_inside(file.path, [settings.actions_media_dir]):
            logger.info("attached file already gone from the media folder")
    except OSError as exc:
        # a file left behind goes with the folder's retention (MEDIA_RETENTION_DAYS)
        logger.warning("attached file not removed: %s", type(exc).__name__)


async def _add_caption(
    backend: CaseBackend, case: CaseRef, file: SharedFile, viewer: Viewer
) -> None:
    # the words sent with a file are as much the customer's as the file; the file matters more
    try:
        await backend.add_comment(
            case, f"The customer wrote with {file.name}: {file.caption}", viewer.actor()
        )
    except BackendError as exc:
        logger.warning("caption of a file not added: %s", type(exc).__name__)


async def attach_pending(
    services: CaseServices, tracker: Tracker, case: CaseRef, dispatcher: CollectingDispatcher
) -> list[EventType]:
    """Attach the files waiting in ``pending_files`` to ``case``; those not taken stay."""
    files = slot_files(tracker.get_slot(PENDING_FILES))
    if not files:
        # no back end is needed (nor built) for nothing to attach
        return []
    settings = services.settings
    viewer = viewer_of(tracker, settings.default_phone_region)
    outcome = await attach_files(services.backend, settings, case, files, viewer, dispatcher)
    return [SlotSet(PENDING_FILES, [file.as_slot() for file in outcome.failed] or None)]
