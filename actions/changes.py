"""Changing existing cases: comments, field updates, and closing with a confirmation.

A customer who closes their case is asked how it went (``actions.kit.rating``).

Customers change the title, description, contact and priority of cases they may see, add
comments, and close them; agents may also set the status and take or drop the assignment.
Every write carries the ``Actor``, with the agent's id when an agent acts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from actions.kit.access import CaseToChoose, Viewer, viewer_of, visible_case
from actions.kit.answers import kept_answer
from actions.kit.base import CaseAction
from actions.kit.comments import inline_comment, unmarked
from actions.kit.contacts import contact_verified
from actions.kit.handles import handle_of, parse_handle, shown_ref
from actions.kit.message import (
    TEXT_FIELD,
    intent_name,
    latest_text,
    text_field_change,
    whole_answer,
)
from actions.kit.normalise import normalise_email, normalise_phone
from actions.kit.otp import Waiting, offer_after, resume_done, resumed, waiting_changes
from actions.kit.rating import ask_rating
from actions.kit.sdk import (
    CollectingDispatcher,
    DomainDict,
    EventType,
    FormValidationAction,
    SlotSet,
    Tracker,
)
from actions.kit.settings import get_settings
from actions.kit.slots import CASE_REF, COMMENT_FORM, COMMENT_TEXT, PENDING_CLOSE, REQUESTED_SLOT
from actions.kit.status import CLOSED, STATUSES, status_list, status_words
from actions.kit.target import CaseNotChosen, ask_which, requested_ref, target_case
from actions.kit.template import Accepted
from cases.backend import BackendError, CaseNotFound

logger = logging.getLogger(__name__)

#: the case field that says whether its contact is the customer's own
VERIFIED = "contact_verified"

CUSTOMER_FIELDS = frozenset({"title", "description", "contact", "priority"})
AGENT_FIELDS = CUSTOMER_FIELDS | {"status", "assigned_user", "assigned_queue"}
#: what an agent's comment starts with, so the customer-facing side can tell it apart
INTERNAL_MARK = "[Internal note]"
COMMENT_MIN = 2

# "set ... closed" and "assign ... to me" on one line. Each line's first verb is taken for good
# (an atomic group, from the line's start only), so a line of verbs with no status after them
# is read once rather than once from every verb; the first verb reaches every status a later
# one does, so what matches is unchanged.
_STATUS = re.compile(
    r"^(?>.*?\b(?:status|mark|set|put|make)\b).*?\b(?P<status>open|pending|closed|on hold)\b",
    re.IGNORECASE | re.MULTILINE,
)
_REOPEN = re.compile(r"\bre-?open\b", re.IGNORECASE)
_ASSIGN_ME = re.compile(
    r"^(?>.*?\b(?:assign|give)\b).*\bto me\b|\btake (?:it|this|the case)\b", re.I | re.M
)
_UNASSIGN = re.compile(r"\bunassign\b", re.IGNORECASE)


@dataclass(frozen=True)
class Refusal:
    """A change that cannot be made, with the response that says why."""

    response: str
    reason: str = ""


class ValidateCommentForm(FormValidationAction):
    """Takes the comment from "comment: ..." when it came with the request; checks it."""

    def name(self) -> str:
        """The action's name in the domain."""
        return f"validate_{COMMENT_FORM}"

    async def extract_comment_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, object]:
        """The comment given with the request that started the form ("note that ..."), or an
        answer to "What would you like to add?" that reads, barely, like another request."""
        kept = kept_answer(tracker, COMMENT_TEXT, get_settings().form_exit_confidence)
        if kept is not None:
            return {COMMENT_TEXT: kept}
        if tracker.get_slot(REQUESTED_SLOT) or tracker.get_slot(COMMENT_TEXT):
            return {}
        if intent_name(tracker) != "add_case_comment":
            return {}
        # the whole message: Rasa may have been sent only its start
        said = inline_comment(latest_text(tracker))
        return {COMMENT_TEXT: said} if said else {}

    async def validate_comment_text(
        self,
        slot_value: object,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, object]:
        """Some words, whitespace at the ends dropped; the whole message, not Rasa's start."""
        whole = whole_answer(tracker, slot_value)
        text = whole.strip() if isinstance(whole, str) else ""
        if len(text) < COMMENT_MIN:
            dispatcher.utter_message(response="utter_invalid_comment")
            return {COMMENT_TEXT: None}
        return {COMMENT_TEXT: text}


class ActionAddCaseComment(CaseAction):
    """Adds the collected comment to the case the user means."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_add_case_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Add the comment (marked internal when an agent writes it) and say so."""
        waiting = resumed(tracker, "add_case_comment")
        done = [SlotSet(COMMENT_TEXT, None), *(resume_done() if waiting is not None else [])]
        said = tracker.get_slot(COMMENT_TEXT)
        if waiting is not None:
            said = waiting.get("comment")
        if not isinstance(said, str) or not said.strip():
            dispatcher.utter_message(response="utter_invalid_comment")
            return done
        viewer = viewer_of(tracker, self._services.settings.default_phone_region)
        backend = self._services.backend
        text = f"{INTERNAL_MARK} {said.strip()}" if viewer.is_agent else unmarked(said)
        if not text:
            dispatcher.utter_message(response="utter_invalid_comment")
            return done
        try:
            case = await target_case(backend, viewer, tracker)
            await backend.add_comment(case, text, viewer.actor())
        except BackendError as exc:
            asked = {"comment": said.strip()}
            offered = offer_after(
                exc, dispatcher, tracker, self._services, "add_case_comment", asked
            )
            return done + (offered or _answer_failure(dispatcher, tracker, exc))
        except CaseNotChosen:
            dispatcher.utter_message(response="utter_no_case_to_change")
            return done
        dispatcher.utter_message(response="utter_comment_added", case_ref=case.ref)
        return [*done, SlotSet(CASE_REF, handle_of(case))]


class ActionUpdateCase(CaseAction):
    """Changes the fields the message names on the case the user means."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_update_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate the requested changes, write them, and say what changed."""
        waiting = resumed(tracker, "update_case")
        done = resume_done() if waiting is not None else []
        return [*done, *await self._update(dispatcher, tracker, waiting)]

    async def _update(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, waiting: Waiting
    ) -> list[EventType]:
        region = self._services.settings.default_phone_region
        viewer = viewer_of(tracker, region)
        asked = waiting_changes(waiting) if waiting else requested_changes(tracker, viewer, region)
        if not asked:
            dispatcher.utter_message(response="utter_ask_what_to_change")
            return []
        checked = await self._checked(viewer, asked)
        if isinstance(checked, Refusal):
            if checked.reason:
                dispatcher.utter_message(response=checked.response, reason=checked.reason)
            else:
                dispatcher.utter_message(response=checked.response)
            return []
        written = dict(checked)
        if checked.get("contact"):
            # a new contact is believed no more than one typed into the form: the case says
            # whether it is the customer's own, and notices go only to one that is
            verified = contact_verified(tracker, checked["contact"] or "", region)
            written[VERIFIED] = "Yes" if verified else "No"
        backend = self._services.backend
        try:
            case = await target_case(backend, viewer, tracker)
            await backend.update_case(case, written, viewer.actor())
        except BackendError as exc:
            waits = {"changes": asked}
            offered = offer_after(exc, dispatcher, tracker, self._services, "update_case", waits)
            return offered or _answer_failure(dispatcher, tracker, exc)
        except CaseNotChosen:
            dispatcher.utter_message(response="utter_no_case_to_change")
            return []
        dispatcher.utter_message(
            response="utter_case_updated", case_ref=case.ref, changes=_changes_words(checked)
        )
        return [SlotSet(CASE_REF, handle_of(case))]

    async def _checked(
        self, viewer: Viewer, asked: dict[str, str | None]
    ) -> dict[str, str | None] | Refusal:
        allowed = AGENT_FIELDS if viewer.is_agent else CUSTOMER_FIELDS
        if set(asked) - allowed:
            return Refusal("utter_change_not_allowed")
        template = await self._services.form_template()
        checked: dict[str, str | None] = {}
        for name, value in asked.items():
            if name in template.fields and value is not None:
                verdict = template.check(name, value)
                if not isinstance(verdict, Accepted):
                    return Refusal("utter_invalid_change", verdict.reason)
                checked[name] = verdict.value
            elif name == "status" and value not in (template.statuses or STATUSES):
                offered = template.statuses or STATUSES
                return Refusal("utter_invalid_change", f"cases here can be {status_list(offered)}")
            elif name == "assigned_user" and value == "":
                return Refusal("utter_change_not_allowed")
            else:
                checked[name] = value
        return checked


def requested_changes(tracker: Tracker, viewer: Viewer, region: str) -> dict[str, str | None]:
    """The fields the latest message asks to change, by logical name, as said.

    A new title or description is taken whole, so nothing inside it counts as a change of
    its own ("change the title to urgent: printer closed" changes the title only).
    """
    changes: dict[str, str | None] = {}
    text = latest_text(tracker)
    said = TEXT_FIELD.search(text)
    free_until = said.start("value") if said else len(text)
    for entity in tracker.latest_message.get("entities") or []:
        value = entity.get("value")
        start = entity.get("start")
        if not isinstance(value, str) or not value.strip():
            continue
        if isinstance(start, int) and start >= free_until:
            continue
        if entity.get("entity") == "priority":
            changes["priority"] = value.strip()
        elif entity.get("entity") == "email":
            changes["contact"] = normalise_email(value) or value.strip()
        elif entity.get("entity") == "phone":
            changes["contact"] = normalise_phone(value, region) or value.strip()
    named = text_field_change(text)
    if named:
        changes[named[0]] = named[1]
    rest = text[:free_until]
    status = _STATUS.search(rest)
    if status:
        word = status["status"].lower()
        changes["status"] = "pending" if word == "on hold" else word
    elif _REOPEN.search(rest):
        changes["status"] = "open"
    if _UNASSIGN.search(rest):
        changes["assigned_user"] = None
    elif _ASSIGN_ME.search(rest):
        # "" when there is nobody to assign: refused below rather than read as "unassign"
        changes["assigned_user"] = viewer.agent_id or ""
    return changes


class ActionAskCloseCase(CaseAction):
    """Asks "Close case X?" and remembers X until the answer."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_close_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask with Yes/No buttons, or say why there is nothing to close."""
        done = resume_done() if resumed(tracker, "close_case") is not None else []
        return [*done, *await self._ask(dispatcher, tracker)]

    async def _ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        viewer = viewer_of(tracker, self._services.settings.default_phone_region)
        try:
            case = await target_case(self._services.backend, viewer, tracker)
        except BackendError as exc:
            offered = offer_after(exc, dispatcher, tracker, self._services, "close_case")
            failed = offered or _answer_failure(dispatcher, tracker, exc)
            return [SlotSet(PENDING_CLOSE, None), *failed]
        except CaseNotChosen:
            dispatcher.utter_message(response="utter_no_case_to_change")
            return [SlotSet(PENDING_CLOSE, None)]
        if case.status.strip().lower() == CLOSED:
            dispatcher.utter_message(response="utter_case_already_closed", case_ref=case.ref)
            return [SlotSet(PENDING_CLOSE, None), SlotSet(CASE_REF, handle_of(case))]
        dispatcher.utter_message(
            response="utter_ask_close_case",
            case_ref=case.ref,
            title=case.title,
            status=status_words(case.status),
        )
        return [SlotSet(PENDING_CLOSE, handle_of(case)), SlotSet(CASE_REF, handle_of(case))]


class ActionCloseCase(CaseAction):
    """Closes the case waiting on "Close case X?" after a yes; keeps it open after a no."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_close_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Act on the answer; the question is settled either way."""
        settled = [SlotSet(PENDING_CLOSE, None)]
        ref = tracker.get_slot(PENDING_CLOSE)
        if not isinstance(ref, str) or not ref:
            dispatcher.utter_message(response="utter_no_case_to_change")
            return settled
        if intent_name(tracker) != "affirm":
            dispatcher.utter_message(response="utter_case_kept_open", case_ref=shown_ref(ref))
            return settled
        viewer = viewer_of(tracker, self._services.settings.default_phone_region)
        backend = self._services.backend
        try:
            # seen again: the answer may come long after the question
            case = await visible_case(backend, viewer, *parse_handle(ref))
            if not _just_asked(tracker.events):
                # a "yes" to something else said since: only a yes to the question closes
                dispatcher.utter_message(
                    response="utter_ask_close_case",
                    case_ref=case.ref,
                    title=case.title,
                    status=status_words(case.status),
                )
                return [SlotSet(PENDING_CLOSE, handle_of(case))]
            await backend.update_case(case, {"status": CLOSED}, viewer.actor())
        except CaseNotFound:
            dispatcher.utter_message(response="utter_case_not_found", case_ref=shown_ref(ref))
            return settled
        except BackendError as exc:
            return settled + _answer_failure(dispatcher, tracker, exc)
        dispatcher.utter_message(response="utter_case_closed", case_ref=case.ref)
        # an agent closing someone's case is not the one to say how it went
        return settled if viewer.is_agent else [*settled, *ask_rating(dispatcher, tracker, case)]


def _just_asked(events: list[dict[str, object]]) -> bool:
    """Whether the assistant's last action before the latest message asked "Close case X?"."""
    seen_user = False
    for event in reversed(events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") == "action_ask_close_case"
    return False


def _answer_failure(
    dispatcher: CollectingDispatcher, tracker: Tracker, exc: BackendError
) -> list[EventType]:
    if isinstance(exc, CaseToChoose):
        ask_which(dispatcher, exc)
        return [SlotSet(CASE_REF, None)]
    if isinstance(exc, CaseNotFound):
        dispatcher.utter_message(response="utter_case_not_found", case_ref=requested_ref(tracker))
        return [SlotSet(CASE_REF, None)]
    logger.warning("case not changed: %s: %s", type(exc).__name__, exc)
    dispatcher.utter_message(response="utter_case_change_failed")
    return []


def _changes_words(fields: dict[str, str | None]) -> str:
    said = []
    for name, value in fields.items():
        label = {"assigned_user": "assignee", "assigned_queue": "queue"}.get(name, name)
        shown = status_words(value) if name == "status" and value else value
        said.append(f"{label} {shown}" if shown else f"no {label}")
    return ", ".join(said)
