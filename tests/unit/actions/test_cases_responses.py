from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
RESPONSES_FILE = REPO / "bot" / "domain" / "cases_responses.yml"
DOMAIN = yaml.safe_load(RESPONSES_FILE.read_text(encoding="utf-8"))
RESPONSES: dict[str, list[dict[str, object]]] = DOMAIN["responses"]

# the kwargs each response is uttered with (actions/forms.py, actions/cases.py)
KWARGS = {
    "utter_invalid_title": {"reason"},
    "utter_invalid_description": {"reason"},
    "utter_invalid_contact": {"reason"},
    "utter_invalid_priority": {"reason"},
    "utter_invalid_origin": {"reason"},
    "utter_description_continued": set(),
    "utter_detail_added": set(),
    "utter_draft_changed": {"field", "value"},
    "utter_case_created": {"case_ref"},
    "utter_case_discarded": set(),
    "utter_case_incomplete": set(),
    "utter_case_cancelled": set(),
    "utter_case_backend_unavailable": set(),
    "utter_case_queued": set(),
    "utter_case_backend_busy": set(),
    "utter_case_conflict": set(),
    "utter_case_rejected": set(),
    "utter_form_offer_human": set(),
}
# the modules whose responses this file holds; other actions' responses have their own files
MODULES = ("forms.py", "cases.py")


def uttered_in_code() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "actions" / name for name in MODULES):
        names.update(re.findall(r"[\"'](utter_[a-z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    return names


def test_file_is_a_rasa_3_1_domain_with_only_responses() -> None:
    assert DOMAIN["version"] == "3.1"
    assert set(DOMAIN) == {"version", "responses"}


def test_every_response_the_code_utters_is_defined() -> None:
    assert uttered_in_code() - set(RESPONSES) == set()


def test_every_defined_response_is_uttered_by_the_code() -> None:
    assert set(RESPONSES) - uttered_in_code() == set()


def test_the_kwargs_table_covers_every_response() -> None:
    assert set(KWARGS) == set(RESPONSES)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_placeholders_are_exactly_the_kwargs_passed(name: str) -> None:
    for variation in RESPONSES[name]:
        text = str(variation["text"])
        fields = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        assert fields == KWARGS[name]
        assert text.format(**dict.fromkeys(fields, "x"))


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_texts_are_short_enough_for_whatsapp(name: str) -> None:
    for variation in RESPONSES[name]:
        assert len(str(variation["text"])) < 300
        for button in variation.get("buttons", []):
            assert len(button["title"]) <= 20  # WhatsApp reply buttons hold 20 characters
