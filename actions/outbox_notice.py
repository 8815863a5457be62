"""``action_case_filed``: a queued case was filed later; the conversation learns its reference.

The gateway injects the intent ``case_filed`` (entity ``case_ref``) into the conversation the
case came from when the outbox worker reports it filed; this action remembers the case as one
opened here (so "status of my last case" finds it) and words the notice. Typed by a user
rather than started by the gateway, the intent is answered as a message not understood, and no
case becomes one opened here. Files the user sent for the queued case are attached to it now.
"""

from __future__ import annotations

from actions.cases import opened_with
from actions.files import attach_files
from actions.ivr import NOT_UNDERSTOOD
from actions.kit.access import started_by_gateway, viewer_of
from actions.kit.media import slot_files
from actions.kit.sdk import Action, CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.services import CaseServices
from actions.kit.settings import ActionSettings
from actions.kit.slots import CASE_REF, OPENED_CASES, PENDING_FILES
from cases.backend import CaseBackend


class ActionCaseFiled(Action):
    """Tell the user the reference of their queued case, and remember it."""

    def __init__(
        self, backend: CaseBackend | None = None, settings: ActionSettings | None = None
    ) -> None:
        super().__init__()
        self._services = CaseServices(backend, settings)

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_case_filed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the reference; add it to the cases opened in this conversation."""
        if not started_by_gateway(tracker):
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []
        ref = next(tracker.get_latest_entity_values(CASE_REF), None)
        if not isinstance(ref, str) or not ref.strip():
            dispatcher.utter_message(response="utter_case_filed_later_no_ref")
            return []
        ref = ref.strip()
        dispatcher.utter_message(response="utter_case_filed_later", case_ref=ref)
        events = [SlotSet(CASE_REF, ref), SlotSet(OPENED_CASES, opened_with(tracker, ref))]
        files = slot_files(tracker.get_slot(PENDING_FILES))
        if files:
            settings = self._services.settings
            viewer = viewer_of(tracker, settings.default_phone_region)
            outcome = await attach_files(
                self._services.backend, settings, ref, files, viewer, dispatcher
            )
            failed = [file.as_slot() for file in outcome.failed]
            events.append(SlotSet(PENDING_FILES, failed or None))
        return events
