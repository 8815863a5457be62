"""``validate_case_form``: each value the case form collects, checked against the template.

Three answers in a row that the form cannot take bring an offer of a person. A request to open
a case that already tells the story ("open a case: my router drops every hour since Monday")
fills the description with it and a short title from its first clause, so neither is asked.

A file the user sends meanwhile (``share_file``) is kept in ``pending_files`` for the case, and
the form asks its question again; its caption answers the title or description asked for only
when the user wrote one (never the gateway's "[image]").
"""

from __future__ import annotations

import re

from actions.kit.answers import kept_answer
from actions.kit.attachments import keep_for_new_case
from actions.kit.base import UsesCases
from actions.kit.media import gateway_media, real_caption
from actions.kit.message import (
    entity_values,
    intent_name,
    latest_text,
    text_field_change,
    whole_answer,
)
from actions.kit.metadata import metadata_text
from actions.kit.sdk import (
    CollectingDispatcher,
    DomainDict,
    EventType,
    FormValidationAction,
    SlotSet,
    Tracker,
)
from actions.kit.slots import (
    CASE_FORM,
    DESCRIPTION,
    FORM_FAILURES,
    ORIGIN,
    REQUESTED_SLOT,
    SESSION_STARTED_METADATA,
    TITLE,
)
from actions.kit.story import named_subject, short_title, told_story
from actions.kit.template import Accepted, FormTemplate

SlotValues = dict[str, object]

# one response per slot, so each can word its complaint for what was asked
_INVALID_RESPONSES = {
    "title": "utter_invalid_title",
    "description": "utter_invalid_description",
    "contact": "utter_invalid_contact",
    "priority": "utter_invalid_priority",
    "origin": "utter_invalid_origin",
}
#: answers in a row the form could not take before a person is offered
FAILURES_BEFORE_HELP = 3
#: words past the "open a case" part that make a message a description
STORY_MIN_WORDS = 6
SHARE_FILE = "share_file"
#: words a message needs to be taken as more detail when another answer was asked
DETAIL_MIN_WORDS = 5
#: signs that a message tries to give a contact: an address, a phone number (seven digits or
#: more, so "order 4471-22" is not one), the words. Separators and digits never overlap, so a
#: search reads each run of them once from each digit and stops at the seventh.
_CONTACT_SIGN = re.compile(
    r"@|\d(?:[\s().-]*\d){6}"
    r"|\b(?:e-?mail|phone|my number|mobile|call me|reach me|contact|dot com)\b",
    re.IGNORECASE,
)


class ValidateCaseForm(UsesCases, FormValidationAction):
    """Normalises good values, clears bad ones with one sentence saying why."""

    def name(self) -> str:
        """The action's name in the domain."""
        return f"validate_{CASE_FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate as usual, counting answers in a row that could not be taken."""
        events = await super().run(dispatcher, tracker, domain)
        if intent_name(tracker) == SHARE_FILE and gateway_media(
            tracker.latest_message.get("metadata")
        ):
            # a file is not an answer the form failed to take, so no failure is counted; the
            # slot set here also keeps the form going (it asks its question again)
            return [*events, *keep_for_new_case(tracker, dispatcher)]
        rejected = any(
            m.get("response") in _INVALID_RESPONSES.values() for m in dispatcher.messages
        )
        accepted = any(
            e.get("event") == "slot" and e.get("name") in _INVALID_RESPONSES and e.get("value")
            for e in events
        )
        before = tracker.get_slot(FORM_FAILURES)
        failures = before if isinstance(before, int | float) else 0
        if rejected:
            failures = int(failures) + 1
            if failures >= FAILURES_BEFORE_HELP:
                dispatcher.utter_message(response="utter_form_offer_human")
                failures = 0
            return [*events, SlotSet(FORM_FAILURES, failures)]
        if accepted and failures:
            # only next to a slot the form took, so this never keeps a digression from the rules
            return [*events, SlotSet(FORM_FAILURES, 0)]
        return events

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The slots the form's own methods extract, and an answer read as a way out."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        asked = tracker.get_slot(REQUESTED_SLOT)
        if isinstance(asked, str) and asked in _INVALID_RESPONSES:
            taken = {event.get("name") for event in events}
            confident = self._services.settings.form_exit_confidence
            said = None if asked in taken else kept_answer(tracker, asked, confident)
            if said is not None:
                events.append(SlotSet(asked, said))
        return events

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The story told in the request that opened the form, or a change asked at the end."""
        story = _opening_story(tracker)
        if story and tracker.get_slot(DESCRIPTION) is None:
            return {DESCRIPTION: story}
        return _caption_answer(tracker, DESCRIPTION) or _draft_change(tracker, DESCRIPTION)

    async def extract_title(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """A short title from the story that opened the form, or a change asked at the end."""
        story = _opening_story(tracker)
        if story and tracker.get_slot(TITLE) is None:
            return {TITLE: short_title(story)}
        subject = _opening_subject(tracker)
        if subject and tracker.get_slot(TITLE) is None:
            # "open a case about my bill": the title is said, the description is asked
            return {TITLE: short_title(subject)}
        return _caption_answer(tracker, TITLE) or _draft_change(tracker, TITLE)

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
        # metadata the user never typed is not worth a complaint: a bad one is just not used
        origin = self._services.file_template().accepted(ORIGIN, said)
        return {ORIGIN: origin} if origin is not None else {}

    async def validate_title(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """A title of sensible length, whitespace collapsed."""
        changed = _change_instead(TITLE, slot_value, tracker, dispatcher)
        return changed or self._judge(await self._template(), "title", slot_value, dispatcher)

    async def validate_description(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """A description; one longer than the back end's field is kept whole and flagged."""
        changed = _change_instead(DESCRIPTION, slot_value, tracker, dispatcher)
        if changed:
            return changed
        value = whole_answer(tracker, slot_value)
        return self._judge(await self._template(), DESCRIPTION, value, dispatcher)

    async def validate_contact(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """An email address, or a phone number in E.164; more detail goes to the description."""
        template = await self._template()
        told = volunteered(template, "contact", slot_value, tracker, dispatcher)
        return told or self._judge(template, "contact", slot_value, dispatcher)

    async def validate_priority(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> SlotValues:
        """One of the template's priorities, also said as "urgent", "p1" and the like."""
        template = await self._template()
        told = volunteered(template, "priority", slot_value, tracker, dispatcher)
        return told or self._judge(template, "priority", slot_value, dispatcher)

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


def volunteered(
    template: FormTemplate,
    name: str,
    value: object,
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
) -> SlotValues | None:
    """More of the story, told while ``name`` was asked: added to the description, thanked for.

    Only a message of some words that is no answer to the question and shows no sign of
    trying to be one (an address, a number, "email"...) counts; the question is asked again.
    """
    changed = _change_instead(name, value, tracker, dispatcher)
    if changed:
        return changed
    text = value.strip() if isinstance(value, str) else ""
    if len(text.split()) < DETAIL_MIN_WORDS:
        return None
    described = tracker.get_slot(DESCRIPTION)
    if not isinstance(described, str) or not described:
        return None
    whole = whole_answer(tracker, text)
    text = whole.strip() if isinstance(whole, str) else text
    if template.accepted(name, text) is not None or _CONTACT_SIGN.search(text[:500]):
        return None
    dispatcher.utter_message(response="utter_detail_added")
    return {name: None, DESCRIPTION: f"{described}\n{text}"}


def _caption_answer(tracker: Tracker, name: str) -> SlotValues:
    # a file's caption answers the question asked, when the user wrote one
    if tracker.get_slot(REQUESTED_SLOT) != name or intent_name(tracker) != SHARE_FILE:
        return {}
    caption = real_caption(entity_values(tracker).get("caption"))
    return {name: caption} if caption else {}


def _change_instead(
    name: str, value: object, tracker: Tracker, dispatcher: CollectingDispatcher
) -> SlotValues | None:
    """``name`` left unanswered when its answer was "change the title to ..." (or the
    description), which extract_title made: the change is confirmed and the question asked
    again."""
    text = value.strip() if isinstance(value, str) else ""
    said = text_field_change(text) if text else None
    if said is None or said[0] == name:
        return None
    changed = _draft_change(tracker, said[0])
    if not changed:
        return None
    dispatcher.utter_message(response="utter_draft_changed", field=said[0], value=changed[said[0]])
    return {name: None}


def _draft_change(tracker: Tracker, name: str) -> SlotValues:
    # "change the title to ..." while the form asks for another value or waits for a yes
    if tracker.get_slot(REQUESTED_SLOT) in (None, name):
        return {}
    if intent_name(tracker) != "update_case":
        return {}
    change = text_field_change(latest_text(tracker))
    return {name: change[1]} if change and change[0] == name else {}


def _opening_subject(tracker: Tracker) -> str | None:
    # a subject too short to be the story, named by the request itself
    if tracker.get_slot(REQUESTED_SLOT) is not None or intent_name(tracker) != "open_case":
        return None
    return named_subject(latest_text(tracker)) or None


def _opening_story(tracker: Tracker) -> str | None:
    # only while the form starts, before it has asked anything
    if tracker.get_slot(REQUESTED_SLOT) is not None:
        return None
    if intent_name(tracker) != "open_case":
        return None
    story = told_story(latest_text(tracker))
    return story if len(story.split()) >= STORY_MIN_WORDS else None
