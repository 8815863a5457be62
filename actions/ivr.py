"""``action_ivr_handoff``: a caller from the voice IVR continues with the assistant on WhatsApp.

The gateway triggers ``ivr_handoff`` in the caller's WhatsApp conversation with entities
(Rasa keeps no metadata for a triggered intent): ``phone`` (the caller's number), ``origin``
(Voice), and when the IVR has them ``contact_arn`` (the call in Amazon Connect),
``handoff_intent`` (what the caller chose) and ``case_ref`` (the case they keyed in).

The action sets the contact, origin, channel and role slots so the case form asks none of
them; links the call to the case when the caller may see that case (it is theirs by phone
number); greets the caller; and, when they chose ``open_case``, starts the case form at once.
A reference that names no case of theirs is dropped without saying anything about it. Typed by
a user rather than started by the gateway, the intent is answered as a message not understood.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from rasa_sdk.events import FollowupAction

from actions.kit.access import Viewer, started_by_gateway, visible_case
from actions.kit.sdk import Action, CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.services import CaseServices
from actions.kit.settings import ActionSettings
from actions.kit.slots import CASE_FORM, CASE_REF, CHANNEL, CONTACT, ORIGIN, ROLE
from actions.kit.template import Accepted, FormTemplate
from cases.backend import BackendError, Case, CaseBackend

logger = logging.getLogger(__name__)

VOICE = "Voice"
OPEN_CASE = "open_case"
DEFAULT_CHANNEL = "whatsapp"
#: the answer to a gateway-only intent a user typed, as to any message not understood
NOT_UNDERSTOOD = "utter_ask_rephrase"


def entity_values(tracker: Tracker) -> dict[str, str]:
    """The latest message's entities by name (the first of each), as non-blank text."""
    values: dict[str, str] = {}
    for found in tracker.latest_message.get("entities") or []:
        name, value = found.get("entity"), found.get("value")
        if isinstance(name, str) and isinstance(value, str) and value.strip():
            values.setdefault(name, value.strip())
    return values


def followup(action: str) -> EventType:
    """Rasa runs ``action`` next, whatever its policies would predict."""
    event: EventType = FollowupAction(action)
    return event


def accepted(template: FormTemplate, name: str, said: str | None) -> str | None:
    """``said`` as the case field ``name`` takes it, or ``None`` when it does not."""
    if said is None:
        return None
    verdict = template.check(name, said)
    return verdict.value if isinstance(verdict, Accepted) else None


def channel_of(tracker: Tracker) -> str:
    """The channel the conversation is on, from its namespaced id (``whatsapp:<digits>``)."""
    channel, separator, _ = tracker.sender_id.partition(":")
    return channel if separator and channel else DEFAULT_CHANNEL


def customer_slots(
    template: FormTemplate, tracker: Tracker, given: Mapping[str, str], origin: str
) -> list[EventType]:
    """Contact, origin, channel and role of a customer the gateway vouches for."""
    events: list[EventType] = []
    contact = accepted(template, CONTACT, given.get("phone"))
    if contact:
        events.append(SlotSet(CONTACT, contact))
    origin_value = accepted(template, ORIGIN, given.get("origin") or origin)
    if origin_value:
        events.append(SlotSet(ORIGIN, origin_value))
    events.append(SlotSet(CHANNEL, channel_of(tracker)))
    events.append(SlotSet(ROLE, "customer"))
    return events


class ActionIvrHandoff(Action):
    """Greets a caller handed over from the IVR, with what they chose there."""

    def __init__(
        self, backend: CaseBackend | None = None, settings: ActionSettings | None = None
    ) -> None:
        super().__init__()
        self._services = CaseServices(backend, settings)

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ivr_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Set the customer's slots, link the call to their case, greet, maybe open a case."""
        if not started_by_gateway(tracker):
            # the caller's number and case would be the user's word alone
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []
        given = entity_values(tracker)
        template = self._services.file_template()
        events = customer_slots(template, tracker, given, VOICE)
        contact = accepted(template, CONTACT, given.get("phone"))
        case = await self._their_case(tracker, given.get("case_ref"), contact)
        events.append(SlotSet(CASE_REF, case.ref if case else None))
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
            await self._services.backend.link_contact(case.ref, contact_arn)
        except BackendError as exc:
            logger.warning("call not linked to case %s: %s: %s", case.ref, type(exc).__name__, exc)
