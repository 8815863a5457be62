"""Actions for the intents only the gateway starts (through Rasa's ``trigger_intent``).

- ``action_ivr_handoff`` (intent ``ivr_handoff``): a caller from the voice IVR continues with
  the assistant on WhatsApp. The entities (Rasa keeps no metadata for a triggered intent) are
  ``phone`` (the caller's number), ``origin`` (Voice), and when the IVR has them
  ``contact_arn`` (the call in Amazon Connect), ``handoff_intent`` (what the caller chose) and
  ``case_ref`` (the case they keyed in). The action sets the contact, origin, channel and role
  slots so the case form asks none of them; links the call to the case when the caller may
  see that case (it is theirs by phone number); greets the caller; and, when they chose
  ``open_case``, starts the case form at once. A reference that names no case of theirs is
  dropped without saying anything about it.
- ``action_case_updated`` (intent ``case_updated``, entities ``case_ref``, ``status`` and
  ``phone``, the case's own contact): the case back end reported a new status. The action
  writes a short notice from ``notice_case_updated.j2`` with the reference and the status
  only (never the title or anything else whoever filed the case wrote), and makes the case
  the one the conversation is about, so "what happens next?" is understood as about it. A
  case now closed brings the rating question (``actions.kit.rating``), once per case.
- ``action_case_filed`` (intent ``case_filed``, entity ``case_ref``): a case kept in the outbox
  was filed later. The action remembers it as one opened here (so "status of my last case"
  finds it), words the notice, and attaches the files the user sent for it.

Typed by a user rather than started by the gateway, each intent is answered as a message not
understood (``GatewayAction``), whatever case it names, and nothing else happens.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from rasa_sdk.events import FollowupAction

from actions.kit.access import Viewer, visible_case
from actions.kit.attachments import attach_pending
from actions.kit.base import GatewayAction
from actions.kit.handles import handle_of
from actions.kit.message import entity_values
from actions.kit.rating import ask_rating
from actions.kit.rendering import render
from actions.kit.sdk import CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.slots import (
    CASE_FORM,
    CASE_REF,
    CHANNEL,
    CONTACT,
    OPENED_CASES,
    ORIGIN,
    ROLE,
    opened_with,
)
from actions.kit.status import CLOSED, status_words
from actions.kit.template import FormTemplate
from cases.backend import BackendError, Case, CaseNotFound
from cases.rating import SATISFACTION

logger = logging.getLogger(__name__)

VOICE = "Voice"
WHATSAPP = "WhatsApp"
OPEN_CASE = "open_case"
DEFAULT_CHANNEL = "whatsapp"
NOTICE_TEMPLATE = "notice_case_updated.j2"


def followup(action: str) -> EventType:
    """Rasa runs ``action`` next, whatever its policies would predict."""
    event: EventType = FollowupAction(action)
    return event


def channel_of(tracker: Tracker) -> str:
    """The channel the conversation is on, from its namespaced id (``whatsapp:<digits>``)."""
    channel, separator, _ = tracker.sender_id.partition(":")
    return channel if separator and channel else DEFAULT_CHANNEL


def customer_slots(
    template: FormTemplate, tracker: Tracker, given: Mapping[str, str], origin: str
) -> list[EventType]:
    """Contact, origin, channel and role of a customer the gateway vouches for."""
    events: list[EventType] = []
    contact = template.accepted(CONTACT, given.get("phone"))
    if contact:
        events.append(SlotSet(CONTACT, contact))
    origin_value = template.accepted(ORIGIN, given.get("origin") or origin)
    if origin_value:
        events.append(SlotSet(ORIGIN, origin_value))
    events.append(SlotSet(CHANNEL, channel_of(tracker)))
    events.append(SlotSet(ROLE, "customer"))
    return events


def notice_text(ref: str, status: str) -> str:
    """The notice of case ``ref`` now being ``status``."""
    return render(NOTICE_TEMPLATE, ref=ref, status=status_words(status))


class ActionIvrHandoff(GatewayAction):
    """Greets a caller handed over from the IVR, with what they chose there."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ivr_handoff"

    async def run_from_gateway(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Set the customer's slots, link the call to their case, greet, maybe open a case."""
        given = entity_values(tracker)
        template = self._services.file_template()
        events = customer_slots(template, tracker, given, VOICE)
        contact = template.accepted(CONTACT, given.get("phone"))
        case = await self._their_case(tracker, given.get("case_ref"), contact)
        events.append(SlotSet(CASE_REF, handle_of(case) if case else None))
        if case is not None and given.get("contact_arn"):
            await self._link(case, given["contact_arn"])
        if given.get("handoff_intent") == OPEN_CASE:
            dispatcher.utter_message(response="utter_ivr_handoff_open_case")
            events.append(followup(CASE_FORM))
        elif case is not None:
            dispatcher.utter_message(response="utter_ivr_handoff_case", case_ref=case.ref)
        else:
            dispatcher.utter_message(response="utter_ivr_handoff")
        return events

    async def _their_case(
        self, tracker: Tracker, ref: str | None, contact: str | None
    ) -> Case | None:
        if ref is None or contact is None:
            return None
        viewer = Viewer(
            role="customer",
            conversation_id=tracker.sender_id,
            channel=channel_of(tracker),
            contacts=frozenset({contact}),
        )
        try:
            return await visible_case(self._services.backend, viewer, ref)
        except BackendError as exc:
            logger.info("IVR case reference not used: %s", type(exc).__name__)
            return None

    async def _link(self, case: Case, contact_arn: str) -> None:
        try:
            await self._services.backend.link_contact(case, contact_arn)
        except BackendError as exc:
            logger.warning("call not linked to case %s: %s: %s", case.ref, type(exc).__name__, exc)


class ActionCaseUpdated(GatewayAction):
    """Tells the customer their case has a new status."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_case_updated"

    async def run_from_gateway(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Write the notice; without a case reference there is nothing to tell."""
        given = entity_values(tracker)
        ref = given.get("case_ref")
        if ref is None:
            logger.warning("case_updated without a case reference; nothing told")
            return []
        status = given.get("status") or await self._status_of(ref)
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
        dispatcher.utter_message(text=notice_text(ref, status))
        asked = await self._ask_rating(dispatcher, tracker, ref, status)
        return [*events, SlotSet(CASE_REF, ref), *asked]

    async def _ask_rating(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, ref: str, status: str
    ) -> list[EventType]:
        """How did it go, when the case is now closed; not in the middle of a form (whose
        question comes again next and would take the score), and not about a case that
        already carries its customer's rating."""
        if status.strip().lower() != CLOSED or (tracker.active_loop or {}).get("name"):
            return []
        case: Case | str = ref
        try:
            case = await self._services.backend.get_case(ref)
        except CaseNotFound:
            return []
        except BackendError as exc:
            # the question costs nothing if the case cannot be read now: the answer is checked
            logger.info("case %s not read before asking its rating: %s", ref, type(exc).__name__)
        if isinstance(case, Case) and case.fields.get(SATISFACTION) not in (None, ""):
            return []
        return ask_rating(dispatcher, tracker, case)

    async def _status_of(self, ref: str) -> str | None:
        try:
            return (await self._services.backend.get_case(ref)).status or None
        except BackendError as exc:
            logger.info("case %s not read for its notice: %s", ref, type(exc).__name__)
            return None


class ActionCaseFiled(GatewayAction):
    """Tell the user the reference of their queued case, and remember it."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_case_filed"

    async def run_from_gateway(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the reference; add it to the cases opened in this conversation."""
        ref = next(tracker.get_latest_entity_values(CASE_REF), None)
        if not isinstance(ref, str) or not ref.strip():
            dispatcher.utter_message(response="utter_case_filed_later_no_ref")
            return []
        ref = ref.strip()
        dispatcher.utter_message(response="utter_case_filed_later", case_ref=ref)
        return [
            SlotSet(CASE_REF, ref),
            SlotSet(OPENED_CASES, opened_with(tracker, ref)),
            # the files sent for the queued case
            *await attach_pending(self._services, tracker, ref, dispatcher),
        ]
