"""``validate_case_form``: each value the case form collects, checked against the template."""

from __future__ import annotations

from actions.backends.base import CaseBackend
from actions.sdk import CollectingDispatcher, DomainDict, FormValidationAction, Tracker
from actions.services import CaseServices, metadata_text
from actions.settings import ActionSettings
from actions.slots import CASE_FORM, DESCRIPTION, ORIGIN, SESSION_STARTED_METADATA
from actions.template import Accepted, FormTemplate

SlotValues = dict[str, object]

# one response per slot, so each can word its complaint for what was asked
_INVALID_RESPONSES = {
    "title": "utter_invalid_title",
    "description": "utter_invalid_description",
    "contact": "utter_invalid_contact",
    "priority": "utter_invalid_priority",
    "origin": "utter_invalid_origin",
}


class ValidateCaseForm(FormValidationAction):
    """Normalises good values, clears bad ones with one sentence saying why."""

    def __init__(
        self, backend: CaseBackend | None = None, settings: ActionSettings | None = None
    ) -> None:
        super().__init__()
        self._services = CaseServices(backend, settings)

    def name(self) -> str:
        """The action's name in the domain."""
        return f"validate_{CASE_FORM}"

    async def extract_origin(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """Origin from the channel's metadata, when the form has none yet."""
        if tracker.get_slot(ORIGIN) is not None:
            return {}
        said = metadata_text(tracker.latest_message.get("metadata"), ORIGIN) or metadata_text(
            tracker.get_slot(SESSION_STARTED_METADATA), ORIGIN
        )
        if said is None:
            return {}
        verdict = self._services.file_template().check(ORIGIN, said)
        # metadata the user never typed is not worth a complaint: a bad one is just not used
        return {ORIGIN: verdict.value} if isinstance(verdict, Accepted) else {}

    async def validate_title(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """A title of sensible length, whitespace collapsed."""
        return self._judge(await self._template(), "title", slot_value, dispatcher)

    async def validate_description(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """A description; one longer than the back end's field is kept whole and flagged."""
        return self._judge(await self._template(), DESCRIPTION, slot_value, dispatcher)

    async def validate_contact(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """An email address, or a phone number in E.164."""
        return self._judge(await self._template(), "contact", slot_value, dispatcher)

    async def validate_priority(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """One of the template's priorities, also said as "urgent", "p1" and the like."""
        return self._judge(await self._template(), "priority", slot_value, dispatcher)

    async def validate_origin(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """One of the template's origins, in the template's spelling."""
        return self._judge(await self._template(), ORIGIN, slot_value, dispatcher)

    async def _template(self) -> FormTemplate:
        return await self._services.form_template()

    @staticmethod
    def _judge(
        template: FormTemplate, name: str, value: object, dispatcher: CollectingDispatcher
    ) -> SlotValues:
        verdict = template.check(name, value)
        if not isinstance(verdict, Accepted):
            dispatcher.utter_message(response=_INVALID_RESPONSES[name], reason=verdict.reason)
            return {name: None}
        if verdict.overflows:
            dispatcher.utter_message(response="utter_description_continued")
        return {name: verdict.value}
