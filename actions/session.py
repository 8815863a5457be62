"""``action_session_start``: a new session that knows the user's channel, origin and role.

The gateway sends each message with metadata (``channel``, ``origin``, maybe ``contact`` and
``role``); Rasa puts the first message's metadata in ``session_started_metadata`` before this
action runs. Slots carry over as the domain's ``session_config`` says.
"""

from __future__ import annotations

from typing import Any

from actions.kit.base import CaseAction
from actions.kit.metadata import given_contact, metadata_text
from actions.kit.sdk import (
    ActionExecuted,
    CollectingDispatcher,
    DomainDict,
    EventType,
    SessionStarted,
    SlotSet,
    Tracker,
)
from actions.kit.slots import (
    CHANNEL,
    COMMENT_TEXT,
    CONTACT,
    FALLBACK_COUNT,
    FORM_FAILURES,
    LIST_NEXT,
    ORIGIN,
    PENDING_CLOSE,
    REQUESTED_SLOT,
    ROLE,
    SESSION_STARTED_METADATA,
)

ROLES = ("customer", "agent")
DEFAULT_ROLE = "customer"
# set afresh below, or about a question the old session asked: never carried over
_NOT_CARRIED = frozenset(
    {
        REQUESTED_SLOT,
        SESSION_STARTED_METADATA,
        PENDING_CLOSE,
        LIST_NEXT,
        COMMENT_TEXT,
        FALLBACK_COUNT,
        FORM_FAILURES,
    }
)


class ActionSessionStart(CaseAction):
    """Starts a session, carries slots over, and fills slots from the channel's metadata."""

    def name(self) -> str:
        """The action's name in the domain (it replaces Rasa's own)."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """``SessionStarted``, carried-over slots, slots from metadata, then ``action_listen``."""
        metadata = tracker.get_slot(SESSION_STARTED_METADATA)
        events: list[EventType] = [SessionStarted()]
        carried: dict[str, Any] = {}
        if _carries_over(domain):
            carried = {
                name: value
                for name, value in tracker.slots.items()
                if value is not None and name not in _NOT_CARRIED
            }
            events.extend(SlotSet(name, value) for name, value in carried.items())
        if isinstance(metadata, dict) and metadata:
            events.append(SlotSet(SESSION_STARTED_METADATA, metadata))
        events.extend(self._from_metadata(metadata, carried))
        events.append(ActionExecuted("action_listen"))
        return events

    def _from_metadata(self, metadata: object, carried: dict[str, Any]) -> list[EventType]:
        template = self._services.file_template()
        events: list[EventType] = []
        channel = metadata_text(metadata, CHANNEL)
        if channel:
            events.append(SlotSet(CHANNEL, channel.lower()))
        # the gateway spells origin as the template does; the channel name is a fallback
        origin = template.accepted(ORIGIN, metadata_text(metadata, ORIGIN) or channel)
        if origin:
            events.append(SlotSet(ORIGIN, origin))
        contact = template.accepted(CONTACT, given_contact(metadata))
        if contact:
            events.append(SlotSet(CONTACT, contact))
        role = metadata_text(metadata, ROLE)
        if role not in ROLES:
            role = carried.get(ROLE) if carried.get(ROLE) in ROLES else DEFAULT_ROLE
        events.append(SlotSet(ROLE, role))
        return events


def _carries_over(domain: DomainDict) -> bool:
    config = domain.get("session_config")
    if isinstance(config, dict):
        return bool(config.get("carry_over_slots_to_new_session", True))
    return True
