"""Proving a case is yours with a one-time code: where to send it, the code typed back, and
the offer withdrawn once the conversation has moved on.

The offer is made by the look-up, change and attachment actions (``actions.kit.otp.offer``);
these actions take it from there. Every answer is worded alike whatever the reference names and
whatever its contact is (``actions.kit.otp``).
"""

from __future__ import annotations

import logging

from actions.kit.access import started_by_gateway
from actions.kit.base import CaseAction
from actions.kit.handles import shown_ref
from actions.kit.message import entity_values, intent_name, latest_text
from actions.kit.otp import Requested, code_in, then_after
from actions.kit.sdk import CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.slots import CASE_REF, OTP_CASE, OTP_RESUME, OTP_THEN, VERIFIED_CASES
from actions.otp.pending import lapsed, stamped
from actions.otp.store import Verdict
from cases.backend import BackendError

logger = logging.getLogger(__name__)

_ASK_AGAIN = {
    Requested.UNREADABLE: "utter_code_contact_unreadable",
    Requested.NO_CHANNEL: "utter_code_no_channel",
}


class ActionSendCode(CaseAction):
    """Keeps a code for the case offered and sends it when the contact typed is the case's."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_send_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answer "if that matches, a code is on its way" whether or not it matches."""
        handle = tracker.get_slot(OTP_CASE)
        codes = self._services.codes
        waiting = tracker.get_slot(OTP_RESUME)
        if not isinstance(handle, str) or not handle.strip():
            dispatcher.utter_message(response="utter_ask_case_ref")
            return []
        if lapsed(waiting, None, codes.now(), codes.settings.otp_code_ttl_seconds):
            # the offer outlived a code: what was typed is not taken for its answer
            dispatcher.utter_message(response="utter_ask_case_ref")
            return withdrawn()
        said = entity_values(tracker)
        typed = said.get("email") or said.get("phone") or latest_text(tracker)
        try:
            asked = await codes.request(self._services.backend, tracker.sender_id, handle, typed)
        except BackendError as exc:
            logger.warning("no code asked for: %s: %s", type(exc).__name__, exc)
            dispatcher.utter_message(response="utter_case_lookup_unavailable")
            return []
        ref = shown_ref(handle)
        if asked.outcome in _ASK_AGAIN:
            dispatcher.utter_message(
                response=_ASK_AGAIN[asked.outcome], case_ref=ref, contact=codes.contact_words()
            )
            return []
        if asked.outcome is Requested.LIMITED:
            dispatcher.utter_message(response="utter_code_limit")
        else:
            minutes = max(1, round(codes.settings.otp_code_ttl_seconds / 60))
            dispatcher.utter_message(
                response="utter_code_on_its_way", case_ref=ref, to=asked.masked, minutes=minutes
            )
        # the request waits as long as the code just asked for works
        waits = stamped(waiting, codes.now()) if isinstance(waiting, dict) else None
        return [SlotSet(OTP_CASE, None), SlotSet(OTP_RESUME, waits)]


class ActionVerifyCode(CaseAction):
    """Checks a code typed; a right one lets the conversation see its case."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_verify_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say whether the code is right; a right one goes on to the request that waited."""
        # otp_then is set on every run, so one left from an earlier code never goes on
        settled = [SlotSet(OTP_THEN, None)]
        code = code_in(latest_text(tracker))
        if code is None:
            dispatcher.utter_message(response="utter_code_unreadable")
            return settled
        try:
            attempt = await self._services.codes.check(tracker.sender_id, code)
        except BackendError as exc:
            logger.warning("no code checked: %s: %s", type(exc).__name__, exc)
            dispatcher.utter_message(response="utter_case_lookup_unavailable")
            return settled
        if attempt.verdict is Verdict.RIGHT and attempt.handle is not None:
            known = tracker.get_slot(VERIFIED_CASES)
            verified = [h for h in known if isinstance(h, str)] if isinstance(known, list) else []
            if attempt.handle not in verified:
                verified.append(attempt.handle)
            dispatcher.utter_message(response="utter_code_right")
            return [
                SlotSet(VERIFIED_CASES, verified),
                SlotSet(CASE_REF, attempt.handle),
                SlotSet(OTP_THEN, then_after(tracker, attempt.handle)),
            ]
        if attempt.verdict is Verdict.NONE:
            dispatcher.utter_message(response="utter_no_code_waiting")
        elif attempt.verdict is Verdict.EXPIRED:
            dispatcher.utter_message(response="utter_code_expired")
        elif attempt.verdict is Verdict.WRONG and attempt.tries_left > 0:
            dispatcher.utter_message(response="utter_code_wrong", tries=attempt.tries_left)
        else:
            dispatcher.utter_message(response="utter_code_locked")
        return settled


class ActionWithdrawCodeOffer(CaseAction):
    """Withdraws an offer of a code, and the request waiting on it, that has lapsed."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_withdraw_code_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Clear ``otp_case`` and ``otp_resume`` once the conversation has moved on or a code's
        lifetime has passed (``actions.otp.pending``).

        Rasa runs this on every message, before anything answers it (it is ``otp_case``'s
        slot mapping), so the rules already see the offer gone. It reads only the tracker.
        """
        if tracker.get_slot(OTP_CASE) is None and tracker.get_slot(OTP_RESUME) is None:
            return []
        # a notice the gateway started is not the customer turning to something else
        intent = None if started_by_gateway(tracker) else intent_name(tracker)
        codes = self._services.codes
        waiting = tracker.get_slot(OTP_RESUME)
        if not lapsed(waiting, intent, codes.now(), codes.settings.otp_code_ttl_seconds):
            return []
        return withdrawn()


def withdrawn() -> list[EventType]:
    """The events that withdraw an offer and the request waiting on it."""
    return [SlotSet(OTP_CASE, None), SlotSet(OTP_RESUME, None)]
