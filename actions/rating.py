"""``action_rate_case``: the customer's answer to "How did we do with case X?".

The question (``actions.kit.rating``) comes when a case closes. Its answer is a number from 1
to 5 with, maybe, some words after it; the score goes on the case (its ``satisfaction`` field,
or a comment where the back end has none: ``cases.rating``), the words beside it as the
customer wrote them, and the score into ``casebot_satisfaction_ratings`` on ``/metrics``.

A message that is no rating, or that comes after the conversation moved on, is answered as any
message not understood (``action_handle_fallback``), and the question is dropped: a customer
is never held in a rating. Thanks right after the question ("great thanks", or "⭐⭐⭐⭐⭐ ty",
which the NLU reads as thanks) is answered as thanks by its rule, and a score in it is taken.
"""

from __future__ import annotations

import logging

from rasa_sdk.events import FollowupAction

from actions.kit.access import viewer_of, visible_case
from actions.kit.base import CaseAction
from actions.kit.handles import parse_handle
from actions.kit.message import intent_name, latest_text
from actions.kit.metrics import SATISFACTION_RATINGS
from actions.kit.rating import RATING_CASE, asked_just_before, rating_of
from actions.kit.sdk import CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from cases.backend import BackendError
from cases.rating import record_rating

logger = logging.getLogger(__name__)

#: what answers a message that is not a rating (the same as any message not understood)
NOT_A_RATING = "action_handle_fallback"
#: the intent whose rule answers after this action ("You're welcome!"), rating or not
THANK = "thank"
#: scores at or below this one are answered with an apology rather than a plain thanks
POOR = 2


class ActionRateCase(CaseAction):
    """Puts the customer's rating on the case the question was about."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_rate_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Record the rating and thank the customer; the question is settled either way."""
        settled: list[EventType] = [SlotSet(RATING_CASE, None)]
        # thanks with a score in it ("⭐⭐⭐⭐⭐ ty": Rasa's tokenizer drops the stars) is
        # answered by the rule as thanks, so the rating, if any, is taken without a word
        quiet = intent_name(tracker) == THANK
        handle = tracker.get_slot(RATING_CASE)
        rating = rating_of(tracker, latest_text(tracker))
        if (
            not isinstance(handle, str)
            or not handle
            or rating is None
            or not asked_just_before(tracker.events)
        ):
            return settled if quiet else [*settled, FollowupAction(NOT_A_RATING)]
        viewer = viewer_of(tracker, self._services.settings.default_phone_region)
        backend = self._services.backend
        try:
            case = await visible_case(backend, viewer, *parse_handle(handle))
            # counted once the case is known to be theirs, even if it cannot take the rating
            backend_name = self._services.case_settings.case_backend
            SATISFACTION_RATINGS.labels(str(rating.score), backend_name).inc()
            await record_rating(backend, case, rating, viewer.actor())
        except BackendError as exc:
            logger.warning("rating not put on the case: %s: %s", type(exc).__name__, exc)
            dispatcher.utter_message(response="utter_rating_not_recorded")
            return settled
        if quiet:
            return settled
        if rating.score <= POOR:
            dispatcher.utter_message(response="utter_rating_poor", case_ref=case.ref)
        else:
            dispatcher.utter_message(response="utter_rating_thanks", case_ref=case.ref)
        return settled
