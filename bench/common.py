"""What every benchmark shares: the stack, statistics, and the markdown table they add to."""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.support.stack import ROOT, Stack, running_stack

REPORT = ROOT / "var" / "bench.md"

#: a conversation that walks the case form and discards the case at the end: every turn runs
#: NLU, policies and (for form turns) the action server, and nothing is filed
FORM_CONVERSATION = (
    "hi",
    "I want to open a case",
    "Printer on fire",
    "The office printer started smoking when I printed the quarterly report",
    "jane.doe@example.com",
    "high",
    "no",
)


@contextmanager
def stack(overrides: dict[str, str] | None = None) -> Iterator[Stack]:
    """The whole stack on free ports in a throwaway directory."""
    with tempfile.TemporaryDirectory(prefix="casebot-bench-") as tmp:
        with running_stack(Path(tmp), overrides) as running:
            yield running


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0-1) percentile, nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    """The median; 0 for no values."""
    return statistics.median(values) if values else 0.0


def ratio(a: float, b: float) -> str:
    """``a / b`` as text, or n/a when ``b`` is 0."""
    return f"{a / b:.2f}" if b else "n/a"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown section with one table."""
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def emit(section: str) -> None:
    """Print a section and append it to ``var/bench.md``."""
    print(section)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a", encoding="utf-8") as out:
        out.write(section + "\n")
