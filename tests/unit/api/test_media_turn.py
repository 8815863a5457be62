"""The share_file turn the gateway sends Rasa for a message with files."""

from __future__ import annotations

import json
import re

import pytest

from api.media import share_file_text

# Rasa 3.6's pattern for "/intent{entities}" (YAMLStoryReader._regex_message_pattern)
RASA_INTENT_MESSAGE = re.compile(
    r"^/(?P<intent>[^{@]+)(?P<conf>@[0-9.]+)?(?P<entities>{.+})?(?P<rest>.*)"
)


def parsed(text: str) -> tuple[str, dict[str, str], str]:
    match = RASA_INTENT_MESSAGE.match(text)
    assert match is not None
    entities = json.loads(match["entities"]) if match["entities"] else {}
    return match["intent"], entities, match["rest"]


def test_a_file_without_a_caption_is_the_bare_intent() -> None:
    assert parsed(share_file_text(None)) == ("share_file", {}, "")
    assert parsed(share_file_text("  ")) == ("share_file", {}, "")


@pytest.mark.parametrize(
    "caption",
    [
        "the damaged box",
        'my "router" {broken} @ home',
        "line one\nline two",
        "écran cassé ✓",
        '"}, "case_ref": "00000001',
    ],
)
def test_the_caption_reaches_rasa_whole_as_the_only_entity(caption: str) -> None:
    assert parsed(share_file_text(caption)) == ("share_file", {"caption": caption}, "")
