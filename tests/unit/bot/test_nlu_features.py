"""The intent-only features in bot/data/nlu/features.yml stay consistent with each other."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

FEATURES = Path(__file__).resolve().parents[3] / "bot" / "data" / "nlu" / "features.yml"
ENTITIES = ("case_ref", "email", "phone", "priority")


def blocks() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(FEATURES.read_text())["nlu"]
    return loaded


def items(name: str) -> list[str]:
    for block in blocks():
        if name in (block.get("lookup"), block.get("regex")):
            lines = block["examples"].splitlines()
            return [line.strip()[2:] for line in lines if line.strip().startswith("- ")]
    raise AssertionError(f"{name} is not in {FEATURES.name}")


def test_negated_product_names_exactly_the_product_words() -> None:
    (pattern,) = items("negated_product")
    nouns = re.search(r"\.\*\\b\(([^)]*)\)", pattern)

    assert nouns is not None
    # the pattern escapes what a regex would read otherwise ("wi\\-fi")
    unescaped = {re.sub(r"\\(.)", r"\1", noun) for noun in nouns.group(1).split("|")}
    assert unescaped == set(items("product_word"))


def test_negated_product_reads_a_refusal_next_to_a_product() -> None:
    (pattern,) = items("negated_product")
    compiled = re.compile(pattern)

    assert compiled.search("no hot water since monday") is not None
    assert compiled.search("my dishwasher doesn't drain") is not None  # either order
    assert compiled.search("the broadband isn't working, no internet") is not None
    assert compiled.search("no thanks") is None
    assert compiled.search("not now") is None


def test_no_feature_is_named_after_an_entity() -> None:
    # the entity extractor reads every lookup and regex named after an entity: a word list
    # under such a name would turn its words into entity values
    names = {block.get("lookup") or block.get("regex") for block in blocks()}

    assert names.isdisjoint(ENTITIES)


def test_every_pattern_compiles() -> None:
    for block in blocks():
        if "regex" in block:
            for pattern in items(block["regex"]):
                re.compile(pattern)
