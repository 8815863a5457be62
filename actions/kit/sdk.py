"""The parts of rasa_sdk the actions use, re-exported.

rasa_sdk ships no type information; ``sdk.pyi`` beside this module declares these names for
mypy, so ``Any`` from rasa_sdk stays here instead of spreading through every action.
"""

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

EventType = dict[str, Any]
DomainDict = dict[str, Any]

__all__ = [
    "Action",
    "DomainDict",
    "EventType",
    "ActionExecuted",
    "CollectingDispatcher",
    "ConversationPaused",
    "FormValidationAction",
    "SessionStarted",
    "SlotSet",
    "Tracker",
]
