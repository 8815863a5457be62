"""What every benchmark shares: the stack, statistics, and the markdown table they add to."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ProcStat:
    """One process as ``/proc/<pid>/stat`` shows it: parent, session and CPU time so far."""

    pid: int
    ppid: int
    session: int
    #: user + system time of all its threads, in seconds
    cpu: float


def proc_stats() -> dict[int, ProcStat]:
    """Every process on the machine, by pid (those that end while being read are left out)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, ProcStat] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name (field 2) may hold spaces and parentheses: split after its last ")"
        fields = raw[raw.rindex(")") + 2 :].split()
        pid = int(entry.name)
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        found[pid] = ProcStat(pid, int(fields[1]), int(fields[3]), cpu)
    return found


def machine_cpu() -> tuple[float, float]:
    """CPU seconds since boot over all cores: (busy, total); iowait counts as idle."""
    ticks = os.sysconf("SC_CLK_TCK")
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already in user)
    total = sum(values[:8])
    return (total - values[3] - values[4]) / ticks, total / ticks


def emit(section: str) -> None:
    """Print a section and append it to ``var/bench.md``."""
    print(section)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a", encoding="utf-8") as out:
        out.write(section + "\n")
