"""The shape of a message: how many words it has, how many are left around its values, and
which words it starts and ends with.

"C-5151", "case C-5151" and "it's C-5151 please" answer a question (``inform``); "what is the
status of C-5151" asks one. Their words overlap, their shapes do not: an answer is the value
and little else. Word counts are read in bins (one feature each), so the classifier learns
"short" and "long" rather than a weight per word. Where a word stands matters too: "is my case
closed" asks, "close my case" tells. Plain Python, so it is read and tested without Rasa.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

#: lower edges of the word-count bins: 0, 1, 2, 3, 4-5, 6-8, 9-13, 14 and more
BINS: tuple[int, ...] = (0, 1, 2, 3, 4, 6, 9, 14)

Span = tuple[int, int]


def bin_of(count: int, bins: Sequence[int] = BINS) -> int:
    """Index of the bin that holds ``count``."""
    index = 0
    for i, edge in enumerate(bins):
        if count >= edge:
            index = i
    return index


def value_spans(text: str, patterns: Iterable[re.Pattern[str]]) -> list[Span]:
    """Where the values (case references, emails, phones, priorities) are in ``text``."""
    return [
        match.span()
        for pattern in patterns
        for match in pattern.finditer(text)
        if match.end() > match.start()
    ]


def shape(
    tokens: Sequence[Span], values: Sequence[Span], bins: Sequence[int] = BINS
) -> list[float]:
    """One-hot word count, one-hot count of words outside any value (when there is a value), and
    whether there is one: ``2 * len(bins) + 1`` features.

    ``tokens`` and ``values`` are (start, end) character offsets in the same text.
    """
    words = [0.0] * len(bins)
    words[bin_of(len(tokens), bins)] = 1.0
    around = [0.0] * len(bins)
    if values:
        outside = [
            token
            for token in tokens
            if not any(token[0] < end and start < token[1] for start, end in values)
        ]
        around[bin_of(len(outside), bins)] = 1.0
    return [*words, *around, 1.0 if values else 0.0]


def edge_vocabulary(
    messages: Iterable[Sequence[str]], min_count: int = 2
) -> tuple[list[str], list[str]]:
    """First words and last words (lower case) that start or end at least ``min_count`` of the
    messages (each a list of its words), sorted."""
    first: Counter[str] = Counter()
    last: Counter[str] = Counter()
    for words in messages:
        if words:
            first[words[0].lower()] += 1
            last[words[-1].lower()] += 1
    return (
        sorted(word for word, n in first.items() if n >= min_count),
        sorted(word for word, n in last.items() if n >= min_count),
    )


class EdgeWords:
    """Which of the known first words a message starts with, and which known last word it ends
    with: ``len(first) + len(last)`` features, all zero for words not in the lists."""

    def __init__(self, first: Sequence[str], last: Sequence[str]) -> None:
        """Features over these first and last words (lower case)."""
        self.first = list(first)
        self.last = list(last)
        self._starts = {word: i for i, word in enumerate(self.first)}
        self._ends = {word: len(self.first) + i for i, word in enumerate(self.last)}

    def features(self, words: Sequence[str]) -> list[float]:
        """The one-hot first word, then the one-hot last word, of ``words``."""
        features = [0.0] * (len(self.first) + len(self.last))
        if words:
            for index in (self._starts.get(words[0].lower()), self._ends.get(words[-1].lower())):
                if index is not None:
                    features[index] = 1.0
        return features
