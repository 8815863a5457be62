"""The responses of the look-up, change, handoff and fallback actions, against the code."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
FILES = ("lookup_responses.yml", "help_responses.yml", "handoff_form.yml")
MODULES = (
    "lookup.py",
    "changes.py",
    "handoff.py",
    "fallback.py",
    "kit/access.py",
    "kit/target.py",
)
RESPONSES: dict[str, list[dict[str, object]]] = {}
for _file in FILES:
    RESPONSES.update(
        yaml.safe_load((REPO / "bot" / "domain" / _file).read_text(encoding="utf-8"))["responses"]
    )
RULES = (REPO / "bot" / "data" / "rules.yml").read_text(encoding="utf-8")

# the kwargs each response is uttered with
KWARGS = {
    "utter_case_not_found": {"case_ref"},
    "utter_no_cases": set(),
    "utter_no_matching_cases": {"search"},
    "utter_no_more_cases": set(),
    "utter_ask_case_ref": set(),
    "utter_which_case": {"case_ref"},
    "utter_ask_list_filter": set(),
    "utter_case_lookup_unavailable": set(),
    "utter_list_refused": {"reason"},
    "utter_ask_comment_text": set(),
    "utter_invalid_comment": set(),
    "utter_comment_added": {"case_ref"},
    "utter_comment_cancelled": set(),
    "utter_no_case_to_change": set(),
    "utter_ask_what_to_change": set(),
    "utter_change_not_allowed": set(),
    "utter_invalid_change": {"reason"},
    "utter_case_updated": {"case_ref", "changes"},
    "utter_case_change_failed": set(),
    "utter_ask_close_case": {"case_ref", "title", "status"},
    "utter_case_already_closed": {"case_ref"},
    "utter_case_closed": {"case_ref"},
    "utter_case_kept_open": {"case_ref"},
    "utter_handoff_case": {"case_ref"},
    "utter_handoff_no_case": set(),
    "utter_handoff_filed_case": {"case_ref"},
    "utter_handoff_chat_case": {"case_ref"},
    "utter_handoff_chat": set(),
    "utter_handoff_chat_unavailable_case": {"case_ref"},
    "utter_handoff_chat_unavailable": set(),
    "utter_ask_rephrase": set(),
    "utter_offer_human": set(),
    "utter_ask_change_draft": set(),
}
# uttered by Rasa itself: the comment form's question and two rules
NOT_FROM_CODE = {"utter_ask_comment_text", "utter_comment_cancelled", "utter_ask_change_draft"}


def uttered_in_code() -> set[str]:
    names: set[str] = set()
    for name in MODULES:
        text = (REPO / "actions" / name).read_text(encoding="utf-8")
        names.update(re.findall(r"[\"'](utter_[a-z0-9_]+)[\"']", text))
    return names


def test_every_response_the_code_utters_is_defined() -> None:
    assert uttered_in_code() - set(RESPONSES) == set()


def test_every_defined_response_is_uttered_by_the_code_or_by_rasa() -> None:
    assert set(RESPONSES) - uttered_in_code() == NOT_FROM_CODE
    for name in NOT_FROM_CODE - {"utter_ask_comment_text"}:
        assert f"action: {name}" in RULES


def test_the_kwargs_table_covers_every_response() -> None:
    assert set(KWARGS) == set(RESPONSES)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_placeholders_are_exactly_the_kwargs_passed(name: str) -> None:
    for variation in RESPONSES[name]:
        text = str(variation["text"])
        fields = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        assert fields == KWARGS[name]


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_texts_and_buttons_fit_whatsapp(name: str) -> None:
    for variation in RESPONSES[name]:
        assert len(str(variation["text"])) < 300
        buttons = variation.get("buttons", [])
        assert isinstance(buttons, list) and len(buttons) <= 3  # WhatsApp shows three
        for button in buttons:
            assert len(button["title"]) <= 20
            assert button["payload"].startswith("/")
