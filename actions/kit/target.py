"""The case a message is about: the reference it names, else the conversation's, else the newest.

Only cases the viewer may see are ever the target (``actions.kit.access``). What names a case is
a handle (``actions.kit.handles``): a reference, or a reference with the id of the one case
meant, as a choice between cases sharing a reference hands back.
"""

from __future__ import annotations

from actions.kit.access import CaseToChoose, Viewer, last_case, visible_case
from actions.kit.handles import handle_of, parse_handle, shown_ref
from actions.kit.message import entity_values
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.slots import CASE_REF
from cases.backend import Case, CaseBackend

#: the most cases offered to choose from, newest first
CHOICES_OFFERED = 5


class CaseNotChosen(Exception):
    """The user named no case and has none to fall back on."""


def requested_handle(tracker: Tracker) -> str | None:
    """The case named in the latest message, else the one the conversation is about."""
    named = entity_values(tracker).get(CASE_REF)
    if named is not None:
        return named
    slot = tracker.get_slot(CASE_REF)
    return slot.strip() if isinstance(slot, str) and slot.strip() else None


def requested_ref(tracker: Tracker) -> str | None:
    """The reference of the case asked about, as people are shown it."""
    handle = requested_handle(tracker)
    return shown_ref(handle) if handle is not None else None


async def target_case(backend: CaseBackend, viewer: Viewer, tracker: Tracker) -> Case:
    """The case the user means: the one named, else their newest.

    Raises ``CaseNotFound`` for a reference the viewer may not see, ``CaseToChoose`` (a
    ``CaseNotFound``) when they may see several cases with it, ``CaseNotChosen`` when there
    is nothing to fall back on.
    """
    handle = requested_handle(tracker)
    if handle is not None:
        return await visible_case(backend, viewer, *parse_handle(handle))
    case = await last_case(backend, viewer)
    if case is None:
        raise CaseNotChosen
    return case


def ask_which(dispatcher: CollectingDispatcher, choice: CaseToChoose) -> None:
    """Ask which of the cases sharing a reference is meant, one button each.

    A button shows that case's status and makes it the one the conversation is about, so
    what the user asks next is about it.
    """
    buttons = [
        {
            "title": _label(case),
            "payload": f'/check_case_status{{"case_ref": "{handle_of(case)}"}}',
        }
        for case in choice.cases[:CHOICES_OFFERED]
    ]
    dispatcher.utter_message(response="utter_which_case", case_ref=choice.ref, buttons=buttons)


def _label(case: Case) -> str:
    opened = f", opened {case.created_at:%d %b %Y}" if case.created_at else ""
    title = case.title if len(case.title) <= 40 else case.title[:39].rstrip() + "…"
    return f"{title}{opened}"
