"""Hostile texts and a timer that tells a text step linear in its input from a quadratic one.

A step is timed on the same shape of text at two lengths, four times apart: linear time grows
about four times, quadratic time sixteen. Each timing is the best of several rounds of enough
calls to last a few milliseconds of this process's CPU time (all its threads), with the
garbage collector off: other processes on a busy machine take wall-clock time but not this
process's CPU time, and the collector's passes cost with everything alive, not with the text.
The bound the tests use sits between the two growths.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: the repeated unit of each hostile shape: words that start a two-part pattern with nothing to
#: finish it, runs of digits, spaces, "c-", emoji, nested punctuation, address-like runs
SHAPES: dict[str, str] = {
    "negations": "not ",
    "products": "tv ",
    "case refs": "c-1234 ",
    "long refs": "12345678 ",
    "verbs": "set ",
    "assign": "give ",
    "field words": "title ",
    "bearer": "bearer ",
    "letters": "a",
    "dotted letters": "a.",
    "digits": "1",
    "spaced digits": "1 ",
    "dashed digits": "1-",
    "spaces": " ",
    "c-": "c-",
    "emoji": "\U0001f600",
    "nested punctuation": "([{<'\"",
    "at signs": "a@",
    "domains": "a@b.",
    "hyphens": "a-",
    "plus digits": "+1",
    "newlines": "no\n",
}
SMALL = 8_000
LARGE = 32_000
#: time(LARGE) / time(SMALL) stays under this for a linear step: 4 expected, 16 if quadratic
LINEAR_GROWTH = 9.0
#: each timing lasts at least this long, so the clock's grain does not count
_ROUND_SECONDS = 0.004
_ROUNDS = 3
_ATTEMPTS = 3


def hostile(unit: str, length: int) -> str:
    """``unit`` repeated to exactly ``length`` characters."""
    return (unit * (length // len(unit) + 1))[:length]


@contextmanager
def _no_collector() -> Iterator[None]:
    """The cyclic garbage collector off: its passes cost with every object alive in the
    process, not with the text, and land on whichever timing happens to allocate the most."""
    was_on = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def seconds_per_call(step: Callable[[str], object], text: str) -> float:
    """The best time of one call of ``step`` on ``text``, over several rounds."""
    with _no_collector():
        return _best_time(step, text)


def _best_time(step: Callable[[str], object], text: str) -> float:
    calls = 1
    while True:
        started = time.process_time()
        for _ in range(calls):
            step(text)
        took = time.process_time() - started
        if took >= _ROUND_SECONDS:
            break
        calls *= 2
    best = took / calls
    for _ in range(_ROUNDS - 1):
        started = time.process_time()
        for _ in range(calls):
            step(text)
        best = min(best, (time.process_time() - started) / calls)
    return best


def growth(
    step: Callable[[str], object], unit: str, small: int = SMALL, large: int = LARGE
) -> float:
    """How many times longer ``step`` takes on ``large`` characters of ``unit`` than on
    ``small``."""
    return seconds_per_call(step, hostile(unit, large)) / seconds_per_call(
        step, hostile(unit, small)
    )


def settled_growth(
    step: Callable[[str], object],
    unit: str,
    small: int = SMALL,
    large: int = LARGE,
    *,
    expect_linear: bool = True,
) -> float:
    """``growth``, measured again (up to three times) while it disagrees with what is expected.

    Another process taking the CPU during one timing skews one ratio, and seldom the same way
    three times running, while a quadratic step is over the bound every time.
    """
    seen: list[float] = []
    for _ in range(_ATTEMPTS):
        seen.append(growth(step, unit, small, large))
        if (seen[-1] < LINEAR_GROWTH) == expect_linear:
            break
    return min(seen) if expect_linear else max(seen)


def slowest_growth(
    step: Callable[[str], object], small: int = SMALL, large: int = LARGE
) -> tuple[str, float]:
    """The shape on which ``step`` grows fastest, and its growth."""
    grown = {name: settled_growth(step, unit, small, large) for name, unit in SHAPES.items()}
    worst = max(grown, key=lambda name: grown[name])
    return worst, grown[worst]
