"""The case a message is about: the reference it names, else the conversation's, else the newest.

Only cases the viewer may see are ever the target (``actions.kit.access``).
"""

from __future__ import annotations

from actions.kit.access import Viewer, last_case, visible_case
from actions.kit.message import entity_values
from actions.kit.sdk import Tracker
from actions.kit.slots import CASE_REF
from cases.backend import Case, CaseBackend


class CaseNotChosen(Exception):
    """The user named no case and has none to fall back on."""


def requested_ref(tracker: Tracker) -> str | None:
    """The reference in the latest message, else the one the conversation is about."""
    named = entity_values(tracker).get(CASE_REF)
    if named is not None:
        return named
    slot = tracker.get_slot(CASE_REF)
    return slot.strip() if isinstance(slot, str) and slot.strip() else None


async def target_case(backend: CaseBackend, viewer: Viewer, tracker: Tracker) -> Case:
    """The case the user means: the one named, else their newest.

    Raises ``CaseNotFound`` for a reference the viewer may not see, ``CaseNotChosen`` when
    there is nothing to fall back on.
    """
    ref = requested_ref(tracker)
    if ref is not None:
        return await visible_case(backend, viewer, ref)
    case = await last_case(backend, viewer)
    if case is None:
        raise CaseNotChosen
    return case
