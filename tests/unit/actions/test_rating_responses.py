"""The rating's responses (bot/domain/rating.yml) against the code that utters them."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from actions.kit.rating import ASK_RESPONSE, RATING_ENTITY, parse_rating

REPO = Path(__file__).resolve().parents[3]
DOMAIN = yaml.safe_load((REPO / "bot" / "domain" / "rating.yml").read_text(encoding="utf-8"))
RESPONSES: dict[str, list[dict[str, object]]] = DOMAIN["responses"]
MODULES = ("rating.py", "kit/rating.py")
KWARGS = {
    "utter_ask_rating": {"case_ref"},
    "utter_rating_thanks": {"case_ref"},
    "utter_rating_poor": {"case_ref"},
    "utter_rating_not_recorded": set(),
}
#: a WhatsApp list (more than three buttons) holds ten rows of 24 characters
LIST_ROWS, ROW_TITLE = 10, 24


def uttered_in_code() -> set[str]:
    names = {ASK_RESPONSE}
    for name in MODULES:
        text = (REPO / "actions" / name).read_text(encoding="utf-8")
        names.update(re.findall(r"[\"'](utter_[a-z0-9_]+)[\"']", text))
    return names


def test_every_response_is_uttered_by_the_code_and_defined() -> None:
    assert uttered_in_code() == set(RESPONSES) == set(KWARGS)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_placeholders_are_exactly_the_kwargs_passed(name: str) -> None:
    for variation in RESPONSES[name]:
        text = str(variation["text"])
        assert {field for _, field, _, _ in string.Formatter().parse(text) if field} == KWARGS[name]
        assert len(text) < 300


def test_one_button_per_score_whose_payload_gives_that_score() -> None:
    [ask] = RESPONSES["utter_ask_rating"]
    buttons = ask["buttons"]
    assert isinstance(buttons, list) and len(buttons) <= LIST_ROWS
    scores = []
    for button in buttons:
        assert len(button["title"]) <= ROW_TITLE
        # what the payload gives is the score the title starts with, typed or pressed
        found = re.fullmatch(
            r'/give_rating\{"(\w+)":"(\d)"\}',
            button["payload"].replace("{{", "{").replace("}}", "}"),
        )
        assert found is not None and found[1] == RATING_ENTITY
        said = parse_rating(button["title"])
        assert said is not None and said.score == int(found[2])
        scores.append(said.score)
    assert scores == [1, 2, 3, 4, 5]
