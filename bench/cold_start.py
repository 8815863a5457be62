"""Cold start: from ``make run`` to the first answer, with everything installed and trained.

    .venv/bin/python -m bench.cold_start [--runs 2]

Starts ``make run`` (default ports, the repository's ``.env``), waits for its "ready" line,
sends one webchat message and times the answer, then stops it with Ctrl-C (SIGINT).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import time
import uuid

import httpx

from bench.common import emit, median, table
from tests.support.stack import ROOT

READY = "casebot is ready"
GATEWAY = "http://127.0.0.1:8000"


def one_start() -> tuple[float, float]:
    """Seconds to the ready line, and to the first answer."""
    started = time.perf_counter()
    process = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if READY in line:
                break
        else:
            raise RuntimeError("make run ended before it was ready")
        ready = time.perf_counter() - started
        response = httpx.post(
            f"{GATEWAY}/webchat/messages",
            json={"sender": uuid.uuid4().hex, "message": "hi"},
            timeout=120,
        )
        response.raise_for_status()
        return ready, time.perf_counter() - started
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> None:
    """Time ``runs`` starts, print and record the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    subprocess.run(["make", "setup", "model"], cwd=ROOT, check=True, capture_output=True)
    times = [one_start() for _ in range(args.runs)]
    rows = [
        [f"run {i}", f"{ready:.1f}", f"{answer:.1f}"] for i, (ready, answer) in enumerate(times, 1)
    ]
    rows.append(
        ["median", f"{median([t[0] for t in times]):.1f}", f"{median([t[1] for t in times]):.1f}"]
    )
    emit(
        table(
            "Cold start: `make run` to first answer (installed and trained)",
            ["", "ready line s", "first answer s"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
