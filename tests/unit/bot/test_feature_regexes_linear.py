"""Every regex Rasa builds from bot/data/nlu takes time linear in the message, and the
two-part feature regexes fire on exactly the training examples they fired on when unbounded.

Rasa's RegexFeaturizer and RegexEntityExtractor run these on its event loop for every message,
so one that backtracks on a long message stalls every conversation. The patterns are compiled
as Rasa 3.6 compiles them: regexes as written, lookups as ``(\\bword\\b|...)`` of escaped
words, all case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.linear import LINEAR_GROWTH, settled_growth, slowest_growth

NLU = Path(__file__).resolve().parents[3] / "bot" / "data" / "nlu"

#: the feature regexes as they were, unbounded: ``\b(A)\b.*\b(B)\b``
OLD_CASE_REF_WITH_PRIORITY = (
    r"(?i)\b(c[- ]?\d{3,8}|\d{8}|20\d{14})\b.*"
    r"\b(low|medium|high|critical|urgent|asap|emergency|normal|important)\b"
)
_NEGATIONS = (
    r"(no|not|never|wrong|incorrect|won't|can't|cannot|isn't|doesn't|don't|hasn't|haven't"
    r"|didn't)"
)
#: an entity annotation, ``[text](entity)`` or ``[text]{...}``, whose text stays
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def _blocks() -> Iterator[dict[str, object]]:
    for path in sorted(NLU.glob("*.yml")):
        yield from yaml.safe_load(path.read_text()).get("nlu") or []


def _listed(block: dict[str, object]) -> list[str]:
    text = block.get("examples")
    assert isinstance(text, str)
    return [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("- ")]


def compiled_patterns() -> dict[str, re.Pattern[str]]:
    """Every regex Rasa compiles from the training data, named ``kind:name[:index]``."""
    found: dict[str, re.Pattern[str]] = {}
    for block in _blocks():
        if "regex" in block:
            for index, source in enumerate(_listed(block)):
                found[f"regex:{block['regex']}:{index}"] = re.compile(source, re.IGNORECASE)
        elif "lookup" in block:
            words = "\\b|\\b".join(re.escape(word) for word in _listed(block))
            found[f"lookup:{block['lookup']}"] = re.compile(f"(\\b{words}\\b)", re.IGNORECASE)
    return found


def training_texts() -> list[str]:
    """The text of every intent example, entity annotations taken out."""
    texts: list[str] = []
    for block in _blocks():
        if "intent" in block:
            for example in _listed(block):
                texts.append(_ANNOTATION.sub(r"\1\2", example))
    return texts


def _feature(name: str) -> re.Pattern[str]:
    return compiled_patterns()[f"regex:{name}:0"]


def _old_negated_product() -> re.Pattern[str]:
    source = _feature("negated_product").pattern
    products = re.search(r"\\b(\((?:washing machine)[^)]*\))\\b", source)
    assert products is not None
    nouns = products.group(1)
    source = rf"(?i)\b{_NEGATIONS}\b.*\b{nouns}\b|\b{nouns}\b.*\b{_NEGATIONS}\b"
    return re.compile(source, re.IGNORECASE)


def _old_patterns() -> dict[str, re.Pattern[str]]:
    return {
        "case_ref_with_priority": re.compile(OLD_CASE_REF_WITH_PRIORITY, re.IGNORECASE),
        "negated_product": _old_negated_product(),
    }


def test_the_training_data_has_examples_and_patterns() -> None:
    assert len(training_texts()) > 500
    assert {"regex:case_ref_with_priority:0", "regex:negated_product:0", "regex:email:0"} <= set(
        compiled_patterns()
    )


@pytest.mark.parametrize("name", ["case_ref_with_priority", "negated_product"])
def test_feature_fires_on_the_training_examples_it_fired_on_unbounded(name: str) -> None:
    old, new = _old_patterns()[name], _feature(name)
    texts = training_texts()
    fired_old = [text for text in texts if old.search(text)]
    fired_new = [text for text in texts if new.search(text)]

    # the feature is real: it fires on a share of the examples, and on the same ones
    assert len(fired_old) >= 10
    assert fired_new == fired_old


@pytest.mark.parametrize("name", ["case_ref_with_priority", "negated_product"])
def test_feature_agrees_with_its_unbounded_form_on_tricky_lines(name: str) -> None:
    old, new = _old_patterns()[name], _feature(name)
    lines = [
        "make C-2231 high",
        "high priority for C-2231",  # the other order: the pair is ordered
        "C-2231 is fine\nmake it high",  # a line each: neither pattern crosses a line
        "c 12345678 urgent",
        "2012345678901234 critical please",
        "case c-1 high",  # too short to be a reference
        "no hot water",
        "the tv won't turn on",
        "not now, my internet is fine",
        "internet\nnot",
        "wrong bill and no refund and not my order",
        "cannot log in to the app",
        "isn't it the tv",
        "my tvs are fine, not",
    ]
    for line in lines:
        assert bool(new.search(line)) == bool(old.search(line)), line


@pytest.mark.parametrize("name", sorted(compiled_patterns()))
def test_every_nlu_regex_takes_linear_time_on_hostile_messages(name: str) -> None:
    pattern = compiled_patterns()[name]

    shape, grown = slowest_growth(lambda text: list(pattern.finditer(text)))

    assert grown < LINEAR_GROWTH, f"{name} grows {grown:.1f}x from 8k to 32k on {shape}"


@pytest.mark.parametrize(
    ("name", "unit"), [("case_ref_with_priority", "c-1234 "), ("negated_product", "not ")]
)
def test_the_unbounded_features_were_quadratic(name: str, unit: str) -> None:
    # shorter texts than above, or the old form would take seconds
    old = _old_patterns()[name]

    grown = settled_growth(
        lambda text: list(old.finditer(text)), unit, 500, 2_000, expect_linear=False
    )

    assert grown > LINEAR_GROWTH


def test_the_unbounded_email_entity_was_quadratic() -> None:
    old = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", re.IGNORECASE)

    grown = settled_growth(
        lambda text: list(old.finditer(text)), "a.", 1_000, 4_000, expect_linear=False
    )

    assert grown > LINEAR_GROWTH


def test_the_email_entity_still_finds_addresses() -> None:
    email = compiled_patterns()["regex:email:0"]

    assert [m.group() for m in email.finditer("mail jo.bloggs+cases@mail.example.co.uk now")] == [
        "jo.bloggs+cases@mail.example.co.uk"
    ]
    assert email.search("at @ home") is None
