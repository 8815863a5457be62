"""Scale-out under crashes: 200 customers open a case each while one of each process dies.

    .venv/bin/python -m bench.scale_kill [--conversations 200] [--concurrency 20]

Two of every process (gateway, action server, Rasa) on shared Redis and PostgreSQL, Rasa and
the action servers each behind a round-robin proxy, the sandbox playing Meta, Twilio and
Connect Cases (``tests/support/fleet.py``). Customers, every other one on WhatsApp's Cloud API
and on Twilio, walk the case form over signed webhooks delivered to both gateways,
``--concurrency`` at a time, each answering as soon as the last reply came; when 15%, 35% and
55% of all turns are answered, one gateway, one action server and one Rasa are SIGKILLed in
turn (the last two while working on requests) and stay dead (``tests/support/kills.py``,
which the scale-out test runs with fewer customers). Counted from the stand-ins' records only:
cases filed once, lost or doubled (Connect Cases), replies delivered once, lost or doubled
against what an undisturbed run of the same script on the same channel gets (the Graph and
Twilio stand-ins); when each kill came and how many turns it caught, the recovery time (until
every turn it caught was answered), and turn latency (webhook to the turn's last reply) before
the kills, during them and after recovery.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import emit, table
from tests.support import kills
from tests.support.fleet import GATEWAYS, Fleet, fleet

#: what a gateway logs when a turn it took over had been answered before its first gateway died
REPLAYED = "{channel} turn tried again was answered before"


def replayed(running: Fleet) -> str:
    """Turns a gateway answered from the conversation instead of running them again, by channel."""
    logs = [running.processes[name].log.read_text() for name in GATEWAYS]
    return ", ".join(
        f"{sum(log.count(REPLAYED.format(channel=channel)) for log in logs)} on {channel}"
        for channel in kills.CHANNELS
    )


def report(result: kills.Run, counted: kills.Tally, replays: str, concurrency: int) -> None:
    emit(
        table(
            f"Scale-out under crashes: {counted.conversations} conversations "
            f"({kills.channel_counts(result)}), {concurrency} at a time, through two gateways, "
            "two action servers and two Rasa; one of each SIGKILLed mid-run and left dead (read "
            "from the Connect Cases, Graph and Twilio stand-ins)",
            ["", "once", "lost", "doubled"],
            [
                [
                    "cases filed",
                    counted.cases_once,
                    len(counted.cases_lost),
                    len(counted.cases_doubled),
                ],
                [
                    "replies delivered",
                    counted.replies_once,
                    counted.replies_lost,
                    counted.replies_doubled,
                ],
            ],
        )
    )
    rows: list[list[object]] = []
    for kill in result.kills:
        recovered = kill.recovered
        rows.append(
            [
                kill.process,
                f"+{kill.at - result.started:.1f}",
                len(kill.in_flight),
                "-" if kill.dropped is None else kill.dropped,
                "never" if recovered is None else f"{recovered:.1f}",
            ]
        )
    emit(
        table(
            f"Scale-out under crashes: the kills ({result.ended - result.started:.0f} s run; "
            f"turns a surviving gateway took over that had been answered before ({replays}) "
            "were answered from the conversation rather than run twice)",
            ["killed", "at s", "turns under way", "requests it dropped", "recovered after s"],
            rows,
        )
    )
    emit(
        table(
            "Scale-out under crashes: turn latency (webhook to the turn's last reply)",
            ["turns", "count", "p50 s", "p99 s", "unanswered"],
            [
                [span.span, span.turns, f"{span.p50:.2f}", f"{span.p99:.2f}", span.unanswered]
                for span in kills.latencies(result)
            ],
        )
    )
    if counted.differing:
        print(f"  replies not as the script's: {counted.differing}")


def main() -> None:
    """Start the fleet, run the conversations under the kills, count and record."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="casebot-scale-kill-") as tmp:
        with fleet(Path(tmp)) as running:
            print(f"  up in {time.monotonic() - started:.0f} s", flush=True)
            result = asyncio.run(kills.run(running, args.conversations, args.concurrency))
            counted = kills.tally(running, result)
            replays = replayed(running)
    report(result, counted, replays, args.concurrency)
    print(f"  {time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
