"""The shape of a message: word counts in bins, in all and outside its values."""

from __future__ import annotations

import re

from bot.components.message_shape import (
    BINS,
    EdgeWords,
    bin_of,
    edge_vocabulary,
    shape,
    value_spans,
)

CASE_REF = re.compile(r"\bC-\d{4}\b")
PRIORITY = re.compile(r"\b(high|low)\b", re.IGNORECASE)


def spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in re.finditer(r"\S+", text)]


def test_counts_fall_in_the_bin_of_their_lower_edge() -> None:
    assert [bin_of(n) for n in (0, 1, 2, 3, 4, 5, 6, 8, 9, 13, 14, 200)] == [
        0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 7,
    ]  # fmt: skip


def test_a_bare_reference_has_no_words_around_its_value() -> None:
    text = "C-1042"
    features = shape(spans(text), value_spans(text, [CASE_REF]))

    assert len(features) == 2 * len(BINS) + 1
    assert features[bin_of(1)] == 1.0
    assert features[len(BINS) + bin_of(0)] == 1.0
    assert features[-1] == 1.0
    assert sum(features) == 3.0


def test_words_that_overlap_a_value_are_not_counted_around_it() -> None:
    text = "status of C-1042, high please"
    values = value_spans(text, [CASE_REF, PRIORITY])
    features = shape(spans(text), values)

    # "C-1042," overlaps the reference: around the values are status, of, please
    assert values == [(10, 16), (18, 22)]
    assert features[bin_of(5)] == 1.0
    assert features[len(BINS) + bin_of(3)] == 1.0


def test_a_message_without_values_has_only_its_word_count() -> None:
    text = "what is the status of my case"
    features = shape(spans(text), value_spans(text, [CASE_REF, PRIORITY]))

    assert features[bin_of(7)] == 1.0
    assert sum(features) == 1.0


def test_edge_words_are_those_that_start_or_end_two_messages_or_more() -> None:
    messages = [
        ["Is", "my", "case", "closed"],
        ["is", "it", "done"],
        ["close", "it"],
        ["do", "it"],
        [],
    ]

    assert edge_vocabulary(messages) == (["is"], ["it"])
    assert edge_vocabulary(messages, min_count=1) == (
        ["close", "do", "is"],
        ["closed", "done", "it"],
    )


def test_edge_features_mark_the_known_first_and_last_word_only() -> None:
    edges = EdgeWords(first=["close", "is"], last=["closed", "it"])

    assert edges.features(["Is", "my", "case", "closed"]) == [0.0, 1.0, 1.0, 0.0]
    assert edges.features(["close", "it"]) == [1.0, 0.0, 0.0, 1.0]
    assert edges.features(["what", "now"]) == [0.0, 0.0, 0.0, 0.0]
    assert edges.features([]) == [0.0, 0.0, 0.0, 0.0]
