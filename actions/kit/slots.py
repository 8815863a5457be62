"""Slot names the actions read and write, and which of them a finished case clears.

``opened_with`` keeps the cases a conversation opened, which its customer may always see.
"""

from __future__ import annotations

from collections.abc import Iterable

from actions.kit.sdk import EventType, SlotSet, Tracker

CASE_FORM = "case_form"

TITLE = "title"
DESCRIPTION = "description"
CONTACT = "contact"
PRIORITY = "priority"
ORIGIN = "origin"
CONFIRMED = "confirmed"
CASE_REF = "case_ref"
CUSTOMER_ID = "customer_id"
CHANNEL = "channel"
ROLE = "role"
REQUESTED_SLOT = "requested_slot"
SESSION_STARTED_METADATA = "session_started_metadata"
#: references of the cases opened in this conversation, oldest first
OPENED_CASES = "opened_cases"
#: cases this conversation proved with a one-time code (``actions.kit.otp``), oldest first;
#: set by the code action only
VERIFIED_CASES = "verified_cases"
#: the case a one-time code was offered for, until the customer says where to send it
OTP_CASE = "otp_case"
#: what the customer asked of that case, answered once the code is right
OTP_RESUME = "otp_resume"
#: the request a right code goes on to (an intent's name), for the rules to follow
OTP_THEN = "otp_then"
#: the page of a case list a "Show more" button asks for (slot and entity)
LIST_PAGE = "list_page"
#: where the next page of the last case list starts: its query, page number and token
LIST_NEXT = "list_next"
COMMENT_FORM = "comment_form"
COMMENT_TEXT = "comment_text"
#: the case a "Close case X?" question waits on
PENDING_CLOSE = "pending_close"
#: consecutive messages the assistant did not understand
FALLBACK_COUNT = "fallback_count"
#: consecutive answers the case form could not accept
FORM_FAILURES = "form_failures"
#: files the user sent that wait for a case: kept while the case form runs, or until the
#: user says which case they are for
PENDING_FILES = "pending_files"

#: cleared once a case is open: the next case starts blank but keeps how to reach the user
#: (contact) and where they are (origin, channel)
RESET_AFTER_CREATE = (TITLE, DESCRIPTION, PRIORITY, CONFIRMED)
#: cleared when a case is declined or cancelled; contact goes back to what the channel gave,
#: since a wrong contact may be why the user said no
RESET_AFTER_DISCARD = (TITLE, DESCRIPTION, PRIORITY, CONFIRMED, REQUESTED_SLOT)


def cleared(names: Iterable[str]) -> list[EventType]:
    """``SlotSet(name, None)`` for each name."""
    return [SlotSet(name, None) for name in names]


def opened_with(tracker: Tracker, ref: str) -> list[str]:
    """The references opened in this conversation, with ``ref`` added once."""
    # what this conversation opened is what a customer may see without a verified contact
    opened = tracker.get_slot(OPENED_CASES)
    known = [r for r in opened if isinstance(r, str)] if isinstance(opened, list) else []
    return known if ref in known else [*known, ref]
