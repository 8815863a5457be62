"""Every action-server step that runs a regex on what a user typed takes time linear in it.

The action server answers one request at a time per worker: a step that backtracks on a long
message keeps every other conversation waiting. Each step meets 8k and 32k characters of each
hostile shape in ``tests.support.linear``; the patterns they replaced are shown to fail the
same measure, and the new patterns to read real messages as the old ones did.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from actions import changes
from actions.kit import story
from actions.kit.contacts import contact_key as typed_contact
from actions.kit.media import real_caption
from actions.kit.message import text_field_change
from actions.kit.normalise import match_choice, normalise_email, normalise_phone, words
from actions.kit.rating import parse_rating
from cases.backend import InvalidCase
from cases.connect.profiles import contact_key
from cases.connect.values import tag_value
from tests.support.linear import (
    LINEAR_GROWTH,
    settled_growth,
    slowest_growth,
)

OLD_STATUS = re.compile(
    r"\b(?:status|mark|set|put|make)\b.*?\b(?P<status>open|pending|closed|on hold)\b",
    re.IGNORECASE,
)
OLD_ASSIGN_ME = re.compile(
    r"\b(?:assign|give)\b.*\bto me\b|\btake (?:it|this|the case)\b", re.IGNORECASE
)
OLD_EMAIL_TOKEN = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def _contact_key(text: str) -> object:
    try:
        return contact_key(text)
    except InvalidCase:
        return None


PRIORITIES = {"low": "Low", "high": "High", "not urgent": "Low", "urgent": "High"}

STEPS: dict[str, Callable[[str], object]] = {
    "normalise_email": normalise_email,
    "normalise_phone": lambda text: normalise_phone(text, "GB"),
    "words": words,
    "match_choice": lambda text: match_choice(text, PRIORITIES),
    "text_field_change": text_field_change,
    "status": changes._STATUS.search,
    "reopen": changes._REOPEN.search,
    "assign_me": changes._ASSIGN_ME.search,
    "unassign": changes._UNASSIGN.search,
    "short_title": story.short_title,
    "opening story": story.told_story,
    "real_caption": real_caption,
    "contact_key": _contact_key,
    "tag_value": tag_value,
    "parse_rating": parse_rating,
    # the contact a one-time code is asked for, as the customer typed it
    "typed_contact": lambda text: typed_contact(text, "GB"),
}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_text_step_takes_linear_time_on_hostile_messages(name: str) -> None:
    shape, grown = slowest_growth(STEPS[name])

    assert grown < LINEAR_GROWTH, f"{name} grows {grown:.1f}x from 8k to 32k on {shape}"


@pytest.mark.parametrize(
    ("step", "unit"),
    [
        (OLD_STATUS.search, "set "),
        (OLD_ASSIGN_ME.search, "give "),
        (OLD_EMAIL_TOKEN.findall, "a"),
    ],
    ids=["status", "assign_me", "email_token"],
)
def test_the_patterns_replaced_were_quadratic(step: Callable[[str], object], unit: str) -> None:
    grown = settled_growth(step, unit, 1_000, 4_000, expect_linear=False)

    assert grown > LINEAR_GROWTH


def _status(found: re.Match[str] | None) -> str | None:
    return None if found is None else found["status"].lower()


AGENT_LINES = [
    "set C-1042 to closed",
    "mark it as on hold please",
    "status pending",
    "put it back to open and assign it to me",
    "make this one closed, no wait, pending",
    "set the priority high",
    "set the title to open the door\nmark it closed",
    "opened and closed",
    "give this to me",
    "assign the case\nto me",
    "take it",
    "take the case please, set pending",
    "please reassign to me",
    "give it to Sam, not to me",
]


def test_status_and_assignment_read_agent_lines_as_before() -> None:
    for line in AGENT_LINES:
        assert _status(changes._STATUS.search(line)) == _status(OLD_STATUS.search(line)), line
        assert bool(changes._ASSIGN_ME.search(line)) == bool(OLD_ASSIGN_ME.search(line)), line


def test_status_and_assignment_agree_with_the_old_patterns_on_word_salad() -> None:
    vocabulary = [
        "set", "mark", "status", "make", "put", "give", "assign", "to", "me", "it", "take",
        "the", "case", "open", "pending", "closed", "on", "hold", "x", ",", "\n", "settle",
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(20_000):
        line = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 9)))
        assert _status(changes._STATUS.search(line)) == _status(OLD_STATUS.search(line)), line
        assert bool(changes._ASSIGN_ME.search(line)) == bool(OLD_ASSIGN_ME.search(line)), line


def test_addresses_in_a_sentence_are_still_found() -> None:
    assert normalise_email("write to <Jo.Bloggs@Example.COM>, thanks") == "Jo.Bloggs@example.com"
    assert normalise_email("it's jo@example.com.") == "jo@example.com"
    assert normalise_email("no address @ all here") is None
    for text in ("a@b@c", "x@y.z;q@r.s", "(me@example.org)", "@a b@ c@d"):
        tokens = [m.rstrip(".") for m in OLD_EMAIL_TOKEN.findall(text)]
        first = next((t for t in tokens if normalise_email(t)), None)
        assert normalise_email(text) == (normalise_email(first) if first else None), text
