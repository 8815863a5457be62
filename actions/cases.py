"""Opening a case: the read-back before confirming, creating it, cancelling it."""

from __future__ import annotations

import asyncio
import logging

from actions.kit.attachments import attach_pending
from actions.kit.base import CaseAction, UsesCases
from actions.kit.contacts import contact_verified
from actions.kit.handles import handle_of
from actions.kit.idempotency import case_idempotency_key, form_run_started_at
from actions.kit.metadata import given_contact
from actions.kit.metrics import CASES_CREATED, CASES_FAILED, CASES_QUEUED
from actions.kit.rendering import render
from actions.kit.sdk import Action, CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.services import CaseServices
from actions.kit.slots import (
    CASE_REF,
    CHANNEL,
    CONFIRMED,
    CONTACT,
    CUSTOMER_ID,
    DESCRIPTION,
    OPENED_CASES,
    ORIGIN,
    PENDING_FILES,
    PRIORITY,
    RESET_AFTER_CREATE,
    RESET_AFTER_DISCARD,
    SESSION_STARTED_METADATA,
    TITLE,
    cleared,
    opened_with,
)
from cases.backend import (
    BackendError,
    BackendUnavailable,
    CaseDraft,
    Conflict,
    InvalidCase,
    Throttled,
)

logger = logging.getLogger(__name__)

#: beside a contact the channel does not vouch for, in the case read back before it is opened
UNVERIFIED_NOTE = "not confirmed as yours, so no updates will be sent there"
# "no" typed still declines; "Change something" lets the user fix a detail before opening
CONFIRM_BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "Change something", "payload": "/update_case"},
    {"title": "Cancel", "payload": "/cancel"},
]


class ActionAskConfirmed(UsesCases, Action):
    """Reads the collected case back and asks whether to open it."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the summary with Yes/No buttons; the form fills ``confirmed`` from the reply."""
        contact = _text(tracker, CONTACT)
        region = self._services.settings.default_phone_region
        # said before the "yes", so a customer can give their own contact instead
        unverified = bool(contact) and not contact_verified(tracker, contact, region)
        summary = render(
            "case_summary.j2",
            title=_text(tracker, TITLE),
            description=_text(tracker, DESCRIPTION),
            contact=contact,
            contact_note=UNVERIFIED_NOTE if unverified else "",
            priority=_text(tracker, PRIORITY),
            origin=_text(tracker, ORIGIN),
        )
        dispatcher.utter_message(text=summary, buttons=CONFIRM_BUTTONS)
        return []


class ActionCreateCase(CaseAction):
    """Opens the case once the form is complete and confirmed; otherwise drops it."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_create_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Create the case; on failure keep every slot so "yes" again retries with the same key."""
        if tracker.get_slot(CONFIRMED) is not True:
            dispatcher.utter_message(response="utter_case_discarded")
            return discard_events(tracker, self._services)
        draft = _draft(tracker, self._services.settings.default_phone_region)
        if draft is None:
            dispatcher.utter_message(response="utter_case_incomplete")
            return discard_events(tracker, self._services)
        key = case_idempotency_key(tracker.sender_id, form_run_started_at(tracker.events), draft)
        deadline = self._services.settings.create_deadline_seconds
        try:
            case = await asyncio.wait_for(self._services.backend.create_case(draft, key), deadline)
        except (BackendError, TimeoutError) as exc:
            logger.warning("case not created at once: %s: %s", type(exc).__name__, exc)
            retryable = isinstance(exc, TimeoutError) or (
                isinstance(exc, BackendError) and exc.retryable
            )
            if retryable and await self._services.keep_for_later(draft, key):
                CASES_QUEUED.inc()
                dispatcher.utter_message(response="utter_case_queued")
                _say_if_unverified(dispatcher, draft, None)
                return list(cleared(RESET_AFTER_CREATE))
            failure = exc if isinstance(exc, BackendError) else BackendUnavailable("too slow")
            CASES_FAILED.labels(type(failure).__name__).inc()
            dispatcher.utter_message(response=_failure_response(failure))
            return []
        CASES_CREATED.inc()
        dispatcher.utter_message(response="utter_case_created", case_ref=case.ref)
        _say_if_unverified(dispatcher, draft, case.ref)
        return [
            # by reference and id: the next turn reads this very case with no search
            SlotSet(CASE_REF, handle_of(case)),
            *cleared(RESET_AFTER_CREATE),
            SlotSet(OPENED_CASES, opened_with(tracker, handle_of(case))),
            # the files sent while the form ran
            *await attach_pending(self._services, tracker, case, dispatcher),
        ]


class ActionCancelCase(CaseAction):
    """Drops the case being collected."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Clear the case slots and say so."""
        dispatcher.utter_message(response="utter_case_cancelled")
        return discard_events(tracker, self._services)


def discard_events(tracker: Tracker, services: CaseServices) -> list[EventType]:
    """Clear the case and the files sent for it; contact goes back to the channel's, if any."""
    given = given_contact(tracker.get_slot(SESSION_STARTED_METADATA))
    contact = services.file_template().accepted(CONTACT, given) if given else None
    # files sent for the case go with it
    dropped = [SlotSet(PENDING_FILES, None)] if tracker.get_slot(PENDING_FILES) else []
    return [*cleared(RESET_AFTER_DISCARD), SlotSet(CONTACT, contact), *dropped]


def _failure_response(exc: BackendError) -> str:
    if isinstance(exc, Throttled):
        return "utter_case_backend_busy"
    if isinstance(exc, InvalidCase):
        return "utter_case_rejected"
    if isinstance(exc, Conflict):
        return "utter_case_conflict"
    # unavailable, misconfigured, or anything else the user cannot change: try again later
    return "utter_case_backend_unavailable"


def _draft(tracker: Tracker, phone_region: str) -> CaseDraft | None:
    required = {name: _text(tracker, name) for name in (TITLE, DESCRIPTION, CONTACT, PRIORITY)}
    if not all(required.values()):
        return None
    return CaseDraft(
        **required,
        origin=_text(tracker, ORIGIN),
        conversation_id=tracker.sender_id,
        channel=_text(tracker, CHANNEL) or "unknown",
        customer_id=_text(tracker, CUSTOMER_ID) or None,
        contact_verified=contact_verified(tracker, required[CONTACT], phone_region),
    )


def _say_if_unverified(dispatcher: CollectingDispatcher, draft: CaseDraft, ref: str | None) -> None:
    # the confirmation must not let the customer expect updates at a contact that gets none
    if not draft.contact_verified:
        dispatcher.utter_message(
            text=render("contact_unverified.j2", contact=draft.contact, ref=ref)
        )


def _text(tracker: Tracker, slot: str) -> str:
    value = tracker.get_slot(slot)
    return value if isinstance(value, str) else ""
