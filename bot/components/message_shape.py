"""The shape of a message: how many words it has, and how many are left around its values.

"C-5151", "case C-5151" and "it's C-5151 please" answer a question (``inform``); "what is the
status of C-5151" asks one. Their words overlap, their shapes do not: an answer is the value
and little else. Word counts are read in bins (one feature each), so the classifier learns
"short" and "long" rather than a weight per word. Plain Python, so it is read and tested
without Rasa.
"""

from __future__ import annotations

import re
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
