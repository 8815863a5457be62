"""Finding cases: one case's status and recent changes, and lists of cases a page at a time.

Customers see their own cases (``actions.kit.access``); agents ask for a customer's open cases
("open cases for +44 7700 900123") or their own ("my high-priority cases"). A list shows
``PAGE_SIZE`` cases with a "Show more" button whose payload names the next page; the query and
the back end's token for that page wait in the ``list_next`` slot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from actions.kit.access import CaseToChoose, Viewer, own_cases, viewer_of
from actions.kit.agent_query import agent_query, describe
from actions.kit.base import CaseAction
from actions.kit.handles import handle_of
from actions.kit.message import entity_values, latest_text
from actions.kit.normalise import normalise_email, normalise_phone
from actions.kit.otp import OneTimeCodes, offer, resume_done, resumed
from actions.kit.rendering import render, shorten
from actions.kit.sdk import CollectingDispatcher, DomainDict, EventType, SlotSet, Tracker
from actions.kit.settings import ActionSettings
from actions.kit.slots import CASE_REF, LIST_NEXT, LIST_PAGE, PRIORITY
from actions.kit.status import OPEN, status_words
from actions.kit.target import CaseNotChosen, ask_which, requested_ref, target_case
from cases.backend import (
    BackendError,
    Case,
    CaseBackend,
    CaseEvent,
    CaseFilter,
    CaseNotFound,
    InvalidCase,
)
from cases.rating import HIGHEST, SATISFACTION

logger = logging.getLogger(__name__)

PAGE_SIZE = 3
#: "show more", "more", "next page", "the rest please": the next page of the list shown last
_MORE = re.compile(
    r"\W*(?:(?:show|see|give|list|send)\s+(?:me\s+)?)?(?:some\s+)?"
    r"(?:more|next(?:\s+(?:page|one|ones|3))?|the\s+rest|rest)"
    r"(?:\s+(?:cases|tickets|of them|please|pls))*\W*$",
    re.IGNORECASE,
)
_MORE_MAX_CHARS = 60
#: how many recent changes a status answer tells
RECENT_EVENTS = 3
#: values first set this close to the case's creation are its creation, not changes
CREATION_WINDOW = timedelta(seconds=1)

Clock = Callable[[], datetime]

# bookkeeping fields whose changes mean nothing to the person asking
_QUIET_FIELDS = frozenset(
    {"last_updated_datetime", "created_datetime", "last_closed_datetime", "reference_number"}
)
_RELATED_WORDS = {
    "comment": "a comment was added",
    "contact": "a call or chat was linked to it",
    "file": "a file was attached",
}


def _score(value: str) -> str:
    try:
        return f"{float(value):g}"
    except ValueError:
        return value


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def humanise(at: datetime, now: datetime) -> str:
    """How long ago ``at`` was, as a person would say it."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    seconds = (now - at).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return _ago(int(seconds // 60), "minute")
    if seconds < 86400:
        return _ago(int(seconds // 3600), "hour")
    days = (now.date() - at.astimezone(now.tzinfo).date()).days
    if days <= 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    return f"on {at.day} {at:%B %Y}"


def event_words(event: CaseEvent, now: datetime, *, with_author: bool) -> str | None:
    """One change in words, or ``None`` for bookkeeping nobody asked about."""
    if event.field in _QUIET_FIELDS:
        return None
    if event.field in _RELATED_WORDS and event.new == "added" and event.old is None:
        said = _RELATED_WORDS[event.field]
    elif event.field == "status":
        said = f"the status changed to {status_words(event.new or '')}"
    elif event.field == "assigned_queue":
        said = "it was passed to a team" if event.new else "it was taken off its team's queue"
    elif event.field == "assigned_user":
        said = "it was assigned to an agent" if event.new else "it was unassigned"
    elif event.field == SATISFACTION and event.new:
        # the field holds a number ("4.0" as an audit value): said as the score given
        said = f"it was rated {_score(event.new)}/{HIGHEST}"
    elif event.new:
        said = f"the {event.field.replace('_', ' ')} changed to {shorten(event.new, 60)}"
    else:
        said = f"the {event.field.replace('_', ' ')} was cleared"
    author = f" by {event.by}" if with_author and event.by else ""
    return f"{said}{author} ({humanise(event.at, now)})"


def recent_changes(
    case: Case, history: list[CaseEvent], now: datetime, *, with_author: bool
) -> list[str]:
    """The latest ``RECENT_EVENTS`` changes in words; the fields set at creation as one line."""
    opened = case.created_at
    said: list[str] = []
    for event in history:
        if opened is not None and event.old is None and event.at <= opened + CREATION_WINDOW:
            continue
        words = event_words(event, now, with_author=with_author)
        if words:
            said.append(words)
    if opened is not None and len(said) < RECENT_EVENTS:
        said.append(f"the case was opened ({humanise(opened, now)})")
    return said[:RECENT_EVENTS]


class LookupAction(CaseAction):
    """A case action that tells how long ago things happened, by ``clock``."""

    def __init__(
        self,
        backend: CaseBackend | None = None,
        settings: ActionSettings | None = None,
        clock: Clock = utc_now,
        codes: OneTimeCodes | None = None,
    ) -> None:
        super().__init__(backend, settings, codes=codes)
        self._clock = clock


class ActionCheckCaseStatus(LookupAction):
    """Tells the status of the named case, or of the user's newest one."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the status and recent changes; remember the case as the one being talked about.

        A customer who names a case they may not see is offered a one-time code instead.
        """
        done = resume_done() if resumed(tracker, "check_case_status") is not None else []
        return [*done, *await self._status(dispatcher, tracker)]

    async def _status(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        viewer = viewer_of(tracker, self._services.settings.default_phone_region)
        backend = self._services.backend
        try:
            case = await target_case(backend, viewer, tracker)
            history = await backend.get_history(case)
        except CaseToChoose as choice:
            ask_which(dispatcher, choice)
            return [SlotSet(CASE_REF, None)]
        except CaseNotChosen:
            dispatcher.utter_message(
                response="utter_ask_case_ref" if viewer.is_agent else "utter_no_cases"
            )
            return []
        except CaseNotFound:
            codes = self._services.codes
            offered = offer(dispatcher, codes, viewer, tracker, "check_case_status")
            if offered is not None:
                return offered
            dispatcher.utter_message(
                response="utter_case_not_found", case_ref=requested_ref(tracker)
            )
            return [SlotSet(CASE_REF, None)]
        except BackendError as exc:
            logger.warning("case status not read: %s: %s", type(exc).__name__, exc)
            dispatcher.utter_message(response="utter_case_lookup_unavailable")
            return []
        now = self._clock()
        changed = case.updated_at or (history[0].at if history else None) or case.created_at
        recent = recent_changes(case, history, now, with_author=viewer.is_agent)
        text = render(
            "case_status.j2",
            ref=case.ref,
            title=case.title,
            status=status_words(case.status),
            changed=humanise(changed, now) if changed else None,
            recent=recent,
        )
        dispatcher.utter_message(text=text)
        return [SlotSet(CASE_REF, handle_of(case))]


class ActionListCases(LookupAction):
    """Lists cases a page at a time: a customer's own, or those an agent asks for."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_list_cases"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter one page of cases with "Show more" when there are more; remember where."""
        region = self._services.settings.default_phone_region
        viewer = viewer_of(tracker, region)
        page, query, token = _continuation(tracker, viewer)
        if query is None:
            query = _query(viewer, tracker, region, self._clock())
            if query is None:
                dispatcher.utter_message(response="utter_ask_list_filter")
                return [SlotSet(LIST_NEXT, None)]
        try:
            cases, more, token = await self._page(viewer, query, page, token)
        except InvalidCase as exc:
            # a search the back end cannot make (AICC's 31-day window): say so, not "down"
            dispatcher.utter_message(response="utter_list_refused", reason=str(exc))
            return [SlotSet(LIST_NEXT, None)]
        except BackendError as exc:
            logger.warning("cases not listed: %s: %s", type(exc).__name__, exc)
            dispatcher.utter_message(response="utter_case_lookup_unavailable")
            return []
        if not cases:
            if page > 1:
                dispatcher.utter_message(response="utter_no_more_cases")
            elif viewer.is_agent:
                # "No open High-priority cases, assigned to you.": what was searched for
                heading = _heading(query, 1)
                search = heading[:1].lower() + heading[1:]
                dispatcher.utter_message(response="utter_no_matching_cases", search=search)
            else:
                dispatcher.utter_message(response="utter_no_cases")
            return [SlotSet(LIST_NEXT, None)]
        now = self._clock()
        text = render(
            "case_list.j2",
            heading=_heading(query, page),
            cases=[_listed(case, now) for case in cases],
        )
        if not more:
            dispatcher.utter_message(text=text)
            return [SlotSet(LIST_NEXT, None)]
        payload = f'/list_cases{{"{LIST_PAGE}":"{page + 1}"}}'
        dispatcher.utter_message(text=text, buttons=[{"title": "Show more", "payload": payload}])
        return [SlotSet(LIST_NEXT, {"page": page + 1, "query": query, "token": token})]

    async def _page(
        self, viewer: Viewer, query: dict[str, Any], page: int, token: str | None
    ) -> tuple[list[Case], bool, str | None]:
        backend = self._services.backend
        if query.get("own"):
            # a customer's cases come from several searches, so they are merged and cut here
            wanted = query.get("priority")
            cases = [
                case
                for case in await own_cases(backend, viewer)
                if wanted is None or case.priority == wanted
            ]
            start = (page - 1) * PAGE_SIZE
            return cases[start : start + PAGE_SIZE], len(cases) > start + PAGE_SIZE, None
        search = CaseFilter(**query, page_size=PAGE_SIZE)
        found = await backend.search_cases(search, token)
        return found.cases[:PAGE_SIZE], found.next_token is not None, found.next_token


def _continuation(
    tracker: Tracker, viewer: Viewer
) -> tuple[int, dict[str, Any] | None, str | None]:
    """The page asked for, with the saved query and token when they belong to that page.

    Only an agent continues an agent's list: a number taken off the allow-list (or a token
    no longer saying "agent") may still press the "Show more" of a list made before.
    """
    page = _requested_page(tracker)
    saved = tracker.get_slot(LIST_NEXT)
    if page > 1 and isinstance(saved, dict) and saved.get("page") == page:
        query = saved.get("query")
        token = saved.get("token")
        if isinstance(query, dict) and (viewer.is_agent or query.get("own")):
            return page, query, token if isinstance(token, str) else None
    # no page asked for, or a stale button: start the list again
    return 1, None, None


def _requested_page(tracker: Tracker) -> int:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == LIST_PAGE:
            try:
                return max(1, int(str(entity.get("value"))))
            except ValueError:
                return 1
    # "show more" typed rather than pressed (a channel without buttons, or a habit): the next
    # page of the list shown last
    saved = tracker.get_slot(LIST_NEXT)
    text = latest_text(tracker)
    if isinstance(saved, dict) and len(text) <= _MORE_MAX_CHARS and _MORE.match(text):
        page = saved.get("page")
        return page if isinstance(page, int) and page > 1 else 1
    return 1


def _query(viewer: Viewer, tracker: Tracker, region: str, now: datetime) -> dict[str, Any] | None:
    priority = entity_values(tracker).get(PRIORITY)
    if not viewer.is_agent:
        return {"own": True, "priority": priority}
    contact = _contact_entity(tracker, region)
    if contact is not None:
        query: dict[str, Any] = {"contact": contact, "status": OPEN}
        if priority:
            query["priority"] = priority
        return query
    text = tracker.latest_message.get("text") or ""
    return agent_query(text, priority, viewer.agent_id, now)


def _contact_entity(tracker: Tracker, region: str) -> str | None:
    phone = entity_values(tracker).get("phone")
    if phone:
        return normalise_phone(phone, region)
    email = entity_values(tracker).get("email")
    return normalise_email(email) if email else None


def _heading(query: dict[str, Any], page: int) -> str:
    priority = f"{query['priority']}-priority " if query.get("priority") else ""
    if query.get("own"):
        whose = f"Your {priority}cases"
    elif query.get("contact"):
        whose = f"Open {priority}cases for {query['contact']}"
    else:
        whose = describe(query)
    return whose if page == 1 else f"{whose}, continued"


def _listed(case: Case, now: datetime) -> dict[str, str]:
    changed = case.updated_at or case.created_at
    return {
        "ref": case.ref,
        "title": case.title,
        "status": status_words(case.status),
        "changed": humanise(changed, now) if changed else "",
    }


def _ago(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'} ago"
