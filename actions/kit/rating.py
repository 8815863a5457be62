"""How did it go: the rating asked for when a case closes, and reading the answer.

A case closed in conversation (``action_close_case``) or by the team (the ``case_updated``
notice) brings one question, once per case in a conversation: "How did we do, from 1 to 5?".
The question sets ``rating_case`` to the case; the answer is read by ``action_rate_case``
only when it is the very next message, so a customer who ignores the question and asks
something else is served as usual and the question is dropped.

What counts as a rating is a number at the start of the message, with any words after it as
the customer's comment: digits (``5``, ``4/5``, ``4 out of 5``, ``8/10`` halved), number words
(``five``; a word needs nothing after it, or a mark such as ``-`` or ``,`` before the comment,
since "one more thing..." is no rating), keycap emoji (``4️⃣``) and stars (``⭐⭐⭐⭐``,
``★★★☆☆``). "great thanks" and "terrible" are no number, so they are not ratings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from actions.kit.handles import handle_of, shown_ref
from actions.kit.sdk import CollectingDispatcher, EventType, SlotSet, Tracker
from cases.backend import Case
from cases.rating import HIGHEST, LOWEST, Rating

#: the case a "How did we do?" question waits on (its handle)
RATING_CASE = "rating_case"
#: references of the cases this conversation has asked a rating for, so each is asked once
RATING_ASKED = "rating_asked"
#: the entity a rating button carries
RATING_ENTITY = "rating"
#: the response that asks, with a button per score (bot/domain/rating.yml); a typed number
#: answers as well
ASK_RESPONSE = "utter_ask_rating"
#: how many asked-for references a conversation remembers; older ones may be asked again
ASKED_KEPT = 50
#: only the start of a message is read for the number: the rest is the comment, kept whole
HEAD_CHARS = 200

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_LEAD = (
    r"(?:(?:ok|okay|hmm+|hm+|um+|uh+|well|erm|meh|honestly|tbh|overall|so|probably|maybe"
    r"|i guess|it'?s|that'?s|thats)[,.]?\s+)?"
    r"(?:(?:i'?d |i would |i )?(?:give (?:it |you |u |that |this )?|say |rate (?:it |you |u )?)"
    r"(?:an? )?|(?:my )?rating(?: is)?\s*[:=]?\s*|an? )?"
)
# digits, maybe "out of" a scale; a digit run, so "1234" or "4.5" is never read as a 1 or a 4
_DIGITS = re.compile(
    _LEAD + r"(?P<score>\d+)(?![\d.,]\d)"
    r"(?:\s*(?:/|out of|outta|of)\s*(?P<scale>\d+)(?!\d))?"
    r"(?:\s*(?:stars?\b|\*|⭐+))?",
    re.IGNORECASE,
)
_WORD = re.compile(
    _LEAD + r"(?P<word>one|two|three|four|five)\b"
    r"(?:\s*(?:/|out of|outta|of)\s*(?:5|five)\b)?(?:\s*stars?\b)?",
    re.IGNORECASE,
)
# filled stars, with empty ones among them ("★★★☆☆")
_STARS = re.compile(r"(?:[⭐★🌟]\ufe0f?|☆)+")
_KEYCAP = re.compile(r"(?P<score>[0-9])\ufe0f?\u20e3")
#: what may stand between a number word and the comment ("five - quick", "five, quick")
_WORD_MARK = re.compile(r"\s*[-–—:,;.!/)(]")
_STRIP = " \t\r\n-–—:,;.!/)("


def parse_rating(text: str) -> Rating | None:
    """The rating ``text`` starts with, or ``None`` when it starts with no number from 1 to 5.

    Only the first ``HEAD_CHARS`` characters are searched, each pattern anchored at the start,
    so a message of any length costs the same to read.
    """
    whole = text.strip()
    head = whole[:HEAD_CHARS]
    score, end = _score(head)
    if score is None or not LOWEST <= score <= HIGHEST:
        return None
    comment = whole[end:].strip(_STRIP)
    return Rating(score, comment or None)


def _score(head: str) -> tuple[int | None, int]:
    """The score at the start of ``head`` and where it ends; ``None`` when there is none."""
    found = _STARS.match(head)
    if found:
        filled = sum(1 for char in found.group() if char in "⭐★🌟")
        return (min(filled, HIGHEST) if filled else None), found.end()
    found = _KEYCAP.match(head)
    if found:
        return int(found["score"]), found.end()
    found = _DIGITS.match(head)
    if found:
        score = int(found["score"])
        scale = int(found["scale"]) if found["scale"] else HIGHEST
        if scale == 10:
            # "8/10" on a scale of ten: halved, rounding up, so 9 and 10 are both a 5
            score = (score + 1) // 2 if score else 0
        elif scale != HIGHEST:
            return None, 0
        return score, found.end()
    found = _WORD.match(head)
    if found:
        rest = head[found.end() :]
        if rest.strip() and not _WORD_MARK.match(rest):
            return None, 0
        return _WORDS[found["word"].lower()], found.end()
    return None, 0


def rating_of(tracker: Tracker, text: str) -> Rating | None:
    """The rating a button sent (its ``rating`` entity), else the one ``text`` starts with."""
    for found in tracker.latest_message.get("entities") or []:
        value = found.get("value")
        if found.get("entity") == RATING_ENTITY and isinstance(value, str | int):
            return parse_rating(str(value))
    return parse_rating(text)


def ask_rating(
    dispatcher: CollectingDispatcher, tracker: Tracker, case: Case | str
) -> list[EventType]:
    """Ask how it went with ``case`` (or the case a handle names), unless this conversation
    asked about it before."""
    handle = handle_of(case) if isinstance(case, Case) else case
    ref = shown_ref(handle)
    asked = asked_refs(tracker)
    if ref in asked:
        return []
    dispatcher.utter_message(response=ASK_RESPONSE, case_ref=ref)
    kept = [*asked, ref][-ASKED_KEPT:]
    return [SlotSet(RATING_CASE, handle), SlotSet(RATING_ASKED, kept)]


def asked_refs(tracker: Tracker) -> list[str]:
    """The references this conversation has asked a rating for."""
    asked = tracker.get_slot(RATING_ASKED)
    if not isinstance(asked, list):
        return []
    return [shown_ref(ref) for ref in asked if isinstance(ref, str)]


def asked_just_before(events: Iterable[dict[str, Any]]) -> bool:
    """Whether the assistant's turn just before the latest message asked for a rating.

    Walked back from the latest message: the first action other than listening (and than
    starting a new session, which carries the slot over unchanged) must have set
    ``rating_case``. A slot set again by a session start counts for nothing by itself, so a
    question ignored once stays dropped.
    """
    seen_user = False
    asked: bool | None = None
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return False
            seen_user = True
            continue
        if not seen_user:
            continue
        if kind == "action":
            name = event.get("name")
            if name == "action_listen":
                # slots seen so far were set after this point: by a session start, not the ask
                asked = None
            elif name != "action_session_start":
                return asked is True
        elif kind == "slot" and event.get("name") == RATING_CASE and asked is None:
            asked = event.get("value") is not None
    return False
