# Types for the part of rasa_sdk 3.21 that actions/ uses (rasa_sdk has no py.typed).
from collections.abc import Iterator
from typing import Any

EventType = dict[str, Any]
DomainDict = dict[str, Any]

class Tracker:
    sender_id: str
    slots: dict[str, Any]
    latest_message: dict[str, Any]
    events: list[dict[str, Any]]
    active_loop: dict[str, Any]
    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> Tracker: ...
    def get_slot(self, key: str) -> Any: ...
    def slots_to_validate(self) -> dict[str, Any]: ...
    def get_latest_input_channel(self) -> str | None: ...
    def get_latest_entity_values(
        self, entity_type: str, entity_role: str | None = None, entity_group: str | None = None
    ) -> Iterator[str]: ...

class CollectingDispatcher:
    messages: list[dict[str, Any]]
    def __init__(self) -> None: ...
    def utter_message(
        self,
        text: str | None = None,
        image: str | None = None,
        json_message: dict[str, Any] | None = None,
        template: str | None = None,
        response: str | None = None,
        attachment: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        elements: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None: ...

class Action:
    def name(self) -> str: ...
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]: ...

class FormValidationAction(Action):
    def form_name(self) -> str: ...
    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]: ...
    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]: ...

def SlotSet(key: str, value: Any = None, timestamp: float | None = None) -> EventType: ...
def SessionStarted(timestamp: float | None = None) -> EventType: ...
def ConversationPaused(timestamp: float | None = None) -> EventType: ...
def ActionExecuted(
    action_name: str,
    policy: str | None = None,
    confidence: float | None = None,
    timestamp: float | None = None,
) -> EventType: ...
