from __future__ import annotations

import jinja2
import pytest

from actions.kit.rendering import TEMPLATE_DIR, render, shorten

# a full context for every template in actions/kit/templates
CONTEXTS = {
    "case_summary.j2": {
        "title": "Router keeps dropping",
        "description": "It restarts every hour.",
        "contact": "+447911123456",
        "contact_note": "not confirmed as yours",
        "priority": "High",
        "origin": "WhatsApp",
    },
    "case_status.j2": {
        "ref": "40961234",
        "title": "Router keeps dropping",
        "status": "waiting for a reply",
        "changed": "2 hours ago",
        "recent": ["a comment was added (just now)"],
    },
    "case_list.j2": {
        "heading": "Your cases",
        "cases": [
            {"ref": "40961234", "title": "Router", "status": "closed", "changed": "yesterday"}
        ],
    },
    "notice_case_updated.j2": {
        "ref": "40961234",
        "status": "closed",
    },
    "contact_unverified.j2": {
        "contact": "+447911123456",
        "ref": "40961234",
    },
}


def test_every_template_has_a_context_here() -> None:
    assert sorted(p.name for p in TEMPLATE_DIR.glob("*.j2")) == sorted(CONTEXTS)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_every_template_renders(name: str) -> None:
    text = render(name, **CONTEXTS[name])

    assert text
    for value in CONTEXTS[name].values():
        for shown in value if isinstance(value, list) else [value]:
            for part in shown.values() if isinstance(shown, dict) else [shown]:
                assert part in text


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_a_missing_value_is_an_error_not_a_gap(name: str) -> None:
    context = dict(CONTEXTS[name])
    context.pop(next(iter(context)))

    with pytest.raises(jinja2.UndefinedError):
        render(name, **context)


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    assert shorten("short") == "short"
    assert shorten("one two three four five", 12) == "one two…"
    assert len(shorten("word " * 200, 280)) <= 280
