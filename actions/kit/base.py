"""The base actions: one that works with cases, and one only the gateway may start.

rasa-sdk registers every ``Action`` subclass it imports that is not abstract, and builds it with
``cls()``. So the bases keep ``name`` abstract (they are never registered themselves) and every
collaborator defaults to the process's own; tests pass theirs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from actions.kit.access import started_by_gateway
from actions.kit.otp import OneTimeCodes
from actions.kit.sdk import Action, CollectingDispatcher, DomainDict, EventType, Tracker
from actions.kit.services import CaseServices
from actions.kit.settings import ActionSettings
from cases.backend import CaseBackend
from cases.settings import CaseSettings

#: the answer to a gateway-only intent a user typed, as to any message not understood
NOT_UNDERSTOOD = "utter_ask_rephrase"


class UsesCases:
    """Gives an action or a form validation action ``self._services``, the process's by default."""

    def __init__(
        self,
        backend: CaseBackend | None = None,
        settings: ActionSettings | None = None,
        case_settings: CaseSettings | None = None,
        codes: OneTimeCodes | None = None,
    ) -> None:
        super().__init__()
        self._services = CaseServices(backend, settings, case_settings=case_settings, codes=codes)


class CaseAction(UsesCases, Action, ABC):
    """An action that reads or writes cases through ``self._services``."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""


class GatewayAction(CaseAction):
    """An action for an intent only the gateway starts; typed by a user, it is not understood.

    A user can type any intent with any entities (``/case_updated{"case_ref": "..."}``), and
    Rasa reads it as that intent: what the gateway vouches for would be the user's word alone.
    """

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """``run_from_gateway`` when the gateway started the turn; else "please rephrase"."""
        if not self.from_gateway(tracker):
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []
        return await self.run_from_gateway(dispatcher, tracker, domain)

    def from_gateway(self, tracker: Tracker) -> bool:
        """Whether the gateway started this turn (through Rasa's ``trigger_intent``)."""
        return started_by_gateway(tracker)

    @abstractmethod
    async def run_from_gateway(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The action proper, for a turn the gateway started."""
