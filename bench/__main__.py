"""Every benchmark in one run, each figure printed and added to ``var/bench.md``.

    .venv/bin/python -m bench          (``make bench``)

Runs one after another, so no benchmark loads the machine while another measures.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

from bench.common import REPORT, emit, table

#: module and arguments, in the order they run
BENCHMARKS: tuple[tuple[str, ...], ...] = (
    ("bench.overhead", "--rounds", "6", "--conversations", "20"),
    ("bench.webhook_ack", "--rate", "200", "--seconds", "15"),
    ("bench.backend_cost",),
    ("bench.redos",),
    ("bench.nlu",),
    ("bench.form_exit",),
    ("bench.memory", "--conversations", "1000"),
    ("bench.cold_start", "--runs", "2"),
    ("bench.scale",),
    ("bench.scale_kill", "--conversations", "200"),
    ("bench.erase",),
    ("bench.relay", "--chats", "50", "--rounds", "10"),
)


def main() -> int:
    """Run them all; a failing one is reported and the rest still run."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        f"# casebot benchmarks\n\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        "this machine; figures, not pass/fail.\n\n"
    )
    failed = []
    began = time.monotonic()
    durations = []
    for module, *args in BENCHMARKS:
        started = time.monotonic()
        print(f"==> {module} {' '.join(args)}", flush=True)
        try:
            __import__(module)
        except ImportError:
            print(f"    ({module} is not available here; skipped)")
            continue
        code = subprocess.call([sys.executable, "-m", module, *args])
        took = time.monotonic() - started
        durations.append([module, f"{took:.0f}", code])
        print(f"    {module}: {took:.0f} s, exit {code}", flush=True)
        if code:
            failed.append(module)
    total = time.monotonic() - began
    durations.append(["all", f"{total:.0f}", 1 if failed else 0])
    emit(table(f"Run time: {total / 60:.1f} minutes", ["benchmark", "seconds", "exit"], durations))
    print(f"==> wrote {REPORT}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
