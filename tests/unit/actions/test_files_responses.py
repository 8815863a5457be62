"""bot/domain/files.yml holds every response the file actions utter, with its placeholders.

The actions are in actions/files.py; attaching and keeping files, in actions/kit/attachments.py.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
DOMAIN = yaml.safe_load((REPO / "bot" / "domain" / "files.yml").read_text(encoding="utf-8"))
RESPONSES: dict[str, list[dict[str, object]]] = DOMAIN["responses"]
# the kwargs each response is uttered with (actions/files.py, actions/kit/attachments.py)
KWARGS = {
    "utter_file_attached": {"file_names", "case_ref"},
    "utter_files_kept_for_case": {"file_names"},
    "utter_ask_file_case": {"file_names"},
    "utter_offer_case_for_file": {"file_names"},
    "utter_file_refused": {"file_name", "reason"},
    "utter_file_not_attached": {"file_names", "case_ref"},
    "utter_no_files_waiting": set(),
}
CODE = "".join(
    (REPO / "actions" / path).read_text(encoding="utf-8")
    for path in ("files.py", "kit/attachments.py")
)


def test_every_response_the_file_actions_utter_is_defined_here_and_nothing_else() -> None:
    uttered = set(re.findall(r"[\"'](utter_[a-z0-9_]+)[\"']", CODE))
    # answers shared with other actions live in their own files
    assert uttered - {"utter_case_not_found"} == set(RESPONSES) == set(KWARGS)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_placeholders_are_exactly_the_kwargs_passed(name: str) -> None:
    for variation in RESPONSES[name]:
        text = str(variation["text"])
        fields = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        assert fields == KWARGS[name]
        assert len(text) < 300
