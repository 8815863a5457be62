"""``action_case_updated``: telling a customer, unasked, that their case's status changed.

The gateway triggers ``case_updated`` in the customer's WhatsApp conversation when the case
back end reports a new status, with the entities ``case_ref``, ``status`` and ``phone`` (the
case's own contact). The action writes a short notice from ``notice_case_updated.j2``, with
the case's title when the back end can say, and makes the case the one the conversation is
about, so "what happens next?" is understood as about it. Typed by a user rather than started
by the gateway, the intent is answered as a message not understood, whatever case it names.
"""

from __future__ import annotations

import logging

from actions.ivr import NOT_UNDERSTOOD, customer_slots, entity_values
from actions.kit.access import started_by_gateway
from actions.kit.rendering import render
from actions.kit.sdk import Action, CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.services import CaseServices
from actions.kit.settings import ActionSettings
from actions.kit.slots import CASE_REF
from actions.lookup import status_words
from cases.backend import BackendError, Case, CaseBackend

logger = logging.getLogger(__name__)

NOTICE_TEMPLATE = "notice_case_updated.j2"
WHATSAPP = "WhatsApp"


def notice_text(ref: str, status: str, title: str | None) -> str:
    """The notice of case ``ref`` now being ``status``."""
    return render(NOTICE_TEMPLATE, ref=ref, title=title, status=status_words(status))


class ActionCaseUpdated(Action):
    """Tells the customer their case has a new status."""

    def __init__(
        self, backend: CaseBackend | None = None, settings: ActionSettings | None = None
    ) -> None:
        super().__init__()
        self._services = CaseServices(backend, settings)

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_case_updated"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Write the notice; without a case reference there is nothing to tell."""
        if not started_by_gateway(tracker):
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []
        given = entity_values(tracker)
        ref = given.get("case_ref")
        if ref is None:
            logger.warning("case_updated without a case reference; nothing told")
            return []
        case = await self._case(ref)
        status = given.get("status") or (case.status if case else None)
        if not status:
            logger.warning("case_updated for %s without a status; nothing told", ref)
            return []
        template = self._services.file_template()
        # what the conversation already knows of the customer (an IVR origin, say) stays
        events = [
            event
            for event in customer_slots(template, tracker, given, WHATSAPP)
            if tracker.get_slot(event["name"]) is None
        ]
        dispatcher.utter_message(text=notice_text(ref, status, case.title if case else None))
        return [*events, SlotSet(CASE_REF, ref)]

    async def _case(self, ref: str) -> Case | None:
        try:
            return await self._services.backend.get_case(ref)
        except BackendError as exc:
            # the notice is worth sending without the title
            logger.info("case %s not read for its notice: %s", ref, type(exc).__name__)
            return None
