"""Normal turns' latency while hostile 32k-character messages flood in.

    .venv/bin/python -m bench.redos [--seconds 15] [--before-chars 8000]

Rasa and the action server each run their text steps on one event loop, so a message that
takes seconds to read keeps every other conversation waiting. This bench stands in for that
loop in one process: a flood task reads hostile messages (repeated refusal words, references,
product words, digits, "a.", emoji...) back to back while a conversation's turns arrive every
50 ms, and prints how long each normal turn waited and took (p50, p99, max).

A turn's reading is what Rasa's RegexFeaturizer does with every regex and lookup of
``bot/data/nlu`` (the same loops as Rasa 3.6's, run in this process: a real Rasa would need a
model trained on each set of patterns), then the action server's parsing of the same text
(addresses, phone numbers, an agent's status and assignment words, "change the title to").
Three set-ups:

- before: the unbounded patterns this project had, Rasa sent the whole message; flooded with
  ``--before-chars`` (8k) messages, since one 32k message takes minutes there;
- after: today's patterns, Rasa sent ``RASA_MAX_MESSAGE_CHARS`` (2000) and the actions the
  whole 32k text;
- after, no prefix: today's patterns with Rasa sent the whole 32k text, which shows what the
  prefix adds (Rasa's own per-token loop grows with tokens times matches).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from actions import changes
from actions.kit.message import text_field_change
from actions.kit.normalise import normalise_email, normalise_phone
from api.rasa import DEFAULT_MAX_MESSAGE_CHARS
from bench.common import FORM_CONVERSATION, emit, median, percentile, table

NLU_DIR = Path(__file__).resolve().parent.parent / "bot" / "data" / "nlu"
TURN_EVERY_SECONDS = 0.05
FLOOD_CHARS = 32_000
#: the repeated unit of each hostile message
FLOOD_UNITS = ("not ", "c-1234 ", "tv ", "set ", "give ", "a.", "a", "12345678 ", "\U0001f600")
NORMAL_TURNS = (
    *FORM_CONVERSATION,
    "my internet is not working since monday",
    "set C-1042 to closed",
    "assign C-1042 to me",
    "change the title to Router drops every evening",
    "call me on 07700 900123",
)

Patterns = list[re.Pattern[str]]
# the two-part feature regexes and the email entity as they were, unbounded
_NEGATIONS = (
    r"(no|not|never|wrong|incorrect|won't|can't|cannot|isn't|doesn't|don't|hasn't|haven't"
    r"|didn't)"
)
_OLD_CASE_REF_WITH_PRIORITY = (
    r"(?i)\b(c[- ]?\d{3,8}|\d{8}|20\d{14})\b.*"
    r"\b(low|medium|high|critical|urgent|asap|emergency|normal|important)\b"
)
_OLD_EMAIL = r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"
_OLD_STATUS = re.compile(
    r"\b(?:status|mark|set|put|make)\b.*?\b(?P<status>open|pending|closed|on hold)\b", re.I
)
_OLD_ASSIGN_ME = re.compile(r"\b(?:assign|give)\b.*\bto me\b|\btake (?:it|this|the case)\b", re.I)
_OLD_EMAIL_TOKEN = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def nlu_patterns(old: bool = False) -> Patterns:
    """Every regex Rasa compiles from ``bot/data/nlu`` (``old``: the unbounded ones instead)."""
    found: Patterns = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            listed = [
                line.strip()[2:]
                for line in str(block.get("examples", "")).splitlines()
                if line.strip().startswith("- ")
            ]
            if "lookup" in block:
                words = "\\b|\\b".join(re.escape(word) for word in listed)
                found.append(re.compile(f"(\\b{words}\\b)", re.IGNORECASE))
            elif "regex" in block:
                found.extend(
                    re.compile(_old(block["regex"], s) if old else s, re.I) for s in listed
                )
    return found


def _old(name: str, source: str) -> str:
    if name == "case_ref_with_priority":
        return _OLD_CASE_REF_WITH_PRIORITY
    if name == "email":
        return _OLD_EMAIL
    if name == "negated_product":
        nouns = re.search(r"\\b(\((?:washing machine)[^)]*\))\\b", source)
        assert nouns is not None
        noun = nouns.group(1)
        return rf"(?i)\b{_NEGATIONS}\b.*\b{noun}\b|\b{noun}\b.*\b{_NEGATIONS}\b"
    return source


def rasa_regex_step(text: str, patterns: Patterns) -> None:
    """Rasa 3.6's RegexFeaturizer on ``text``: every pattern's matches, marked on every token."""
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    for pattern in patterns:
        matches = list(pattern.finditer(text))
        # as Rasa does it: every match against every token, which grows with their product
        for start, end in tokens:
            found = False
            for match in matches:
                if start < match.end() and end > match.start():
                    found = True
            del found


def actions_step(text: str, old: bool) -> None:
    """What the action server may run on a message's whole text."""
    if old:
        for token in _OLD_EMAIL_TOKEN.findall(text):
            normalise_email(token)
        _OLD_STATUS.search(text)
        _OLD_ASSIGN_ME.search(text)
    else:
        normalise_email(text)
        changes._STATUS.search(text)
        changes._ASSIGN_ME.search(text)
    normalise_phone(text, "GB")
    text_field_change(text)


@dataclass(frozen=True)
class Setup:
    name: str
    old: bool
    flood_chars: int
    #: characters of a message Rasa reads (None: all of it)
    prefix: int | None


def turn(text: str, setup: Setup, patterns: Patterns) -> None:
    """One message through both loops' text steps."""
    said = text if setup.prefix is None else text[: setup.prefix]
    rasa_regex_step(said, patterns)
    actions_step(text, setup.old)


async def measure(setup: Setup, seconds: float) -> tuple[list[float], list[float]]:
    """Normal turns' latencies (arrival to answer) while the flood runs, and the time each
    flooded message took."""
    patterns = nlu_patterns(setup.old)
    floods = [
        (unit * (setup.flood_chars // len(unit) + 1))[: setup.flood_chars] for unit in FLOOD_UNITS
    ]
    steps: list[float] = []
    stop = False

    async def flood() -> None:
        for text in itertools.cycle(floods):
            if stop:
                return
            started = time.perf_counter()
            turn(text, setup, patterns)
            steps.append(time.perf_counter() - started)
            await asyncio.sleep(0)

    latencies: list[float] = []
    began = time.perf_counter()
    flooding = asyncio.create_task(flood())
    for index, text in enumerate(itertools.cycle(NORMAL_TURNS)):
        arrives = began + index * TURN_EVERY_SECONDS
        # a loop that cannot keep up falls further behind with every turn: stop on the clock
        if arrives - began > seconds or time.perf_counter() - began > seconds:
            break
        await asyncio.sleep(max(0.0, arrives - time.perf_counter()))
        turn(text, setup, patterns)
        latencies.append(time.perf_counter() - arrives)
    stop = True
    await flooding
    return latencies, steps


def step_by_length(lengths: tuple[int, ...], old: bool) -> list[float]:
    """The slowest hostile shape's Rasa regex step, in seconds, at each message length."""
    patterns = nlu_patterns(old)
    slowest = []
    for length in lengths:
        took = []
        for unit in FLOOD_UNITS:
            text = (unit * (length // len(unit) + 1))[:length]
            started = time.perf_counter()
            rasa_regex_step(text, patterns)
            took.append(time.perf_counter() - started)
        slowest.append(max(took))
    return slowest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--before-chars", type=int, default=8_000)
    args = parser.parse_args(argv)
    setups = (
        Setup("before (unbounded patterns, whole message)", True, args.before_chars, None),
        Setup(
            f"after (prefix {DEFAULT_MAX_MESSAGE_CHARS})",
            False,
            FLOOD_CHARS,
            DEFAULT_MAX_MESSAGE_CHARS,
        ),
        Setup("after, no prefix", False, FLOOD_CHARS, None),
    )
    rows = []
    for setup in setups:
        latencies, steps = asyncio.run(measure(setup, args.seconds))
        row = [
            setup.name,
            f"{setup.flood_chars:,}",
            len(steps),
            f"{max(steps) * 1000:.0f}",
            len(latencies),
            f"{median(latencies) * 1000:.1f}",
            f"{percentile(latencies, 0.99) * 1000:.1f}",
            f"{max(latencies) * 1000:.1f}",
        ]
        print(" | ".join(str(cell) for cell in row), flush=True)
        rows.append(row)
    emit(
        table(
            "Normal turns under a flood of hostile messages (NLU regex step and action helpers "
            f"in-process, one loop, a turn every {TURN_EVERY_SECONDS * 1000:.0f} ms, "
            f"{args.seconds:.0f} s each)",
            [
                "set-up",
                "flood message chars",
                "flooded",
                "slowest flood message ms",
                "normal turns",
                "p50 ms",
                "p99 ms",
                "max ms",
            ],
            rows,
        )
    )
    lengths = (1_000, 2_000, 4_000, 8_000)
    by_length = [
        ["today's patterns", *(f"{s * 1000:.0f}" for s in step_by_length(lengths, False))],
        ["unbounded patterns", *(f"{s * 1000:.0f}" for s in step_by_length(lengths, True))],
    ]
    print(by_length, flush=True)
    emit(
        table(
            "Rasa's regex step on the slowest hostile message, ms, by the characters Rasa reads",
            ["patterns", *(f"{length:,}" for length in lengths)],
            by_length,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
