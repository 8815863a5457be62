"""Resident memory of each process over 1,000 conversations, and whether it keeps growing.

    .venv/bin/python -m bench.memory [--conversations 1000]

Short conversations (a greeting, a case form begun and cancelled) through the gateway, 20 at
a time; each process's resident set size (VmRSS) is read after every quarter. "Growth" is the
change over the last three quarters (after warm-up), per 1,000 conversations.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from pathlib import Path

import httpx

from bench.common import emit, stack, table

TURNS = ("hi", "I want to open a case", "cancel")
AT_ONCE = 20


def rss_mib(pid: int) -> float:
    """VmRSS of ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def converse(url: str, count: int) -> None:
    gate = asyncio.Semaphore(AT_ONCE)
    limits = httpx.Limits(max_connections=AT_ONCE)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:

        async def one() -> None:
            async with gate:
                sender = uuid.uuid4().hex
                for text in TURNS:
                    response = await http.post(url, json={"sender": sender, "message": text})
                    response.raise_for_status()

        await asyncio.gather(*(one() for _ in range(count)))


def main() -> None:
    """Run the conversations, sample memory, print and record."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=1000)
    args = parser.parse_args()
    quarter = max(1, args.conversations // 4)
    with stack() as running:
        pids = running.process_ids()
        samples = {name: [rss_mib(pid)] for name, pid in pids.items()}
        for _ in range(4):
            asyncio.run(converse(f"{running.gateway_url}/webchat/messages", quarter))
            for name, pid in pids.items():
                samples[name].append(rss_mib(pid))
    rows = []
    for name in ("rasa", "actions", "gateway", "sandbox"):
        seen = samples.get(name, [])
        if len(seen) < 5:
            continue
        growth = (seen[4] - seen[1]) / (3 * quarter) * 1000
        rows.append(
            [name, f"{seen[0]:.0f}", *(f"{value:.0f}" for value in seen[1:]), f"{growth:+.1f}"]
        )
    header = ["process", "start MiB", *(f"after {quarter * i}" for i in range(1, 5))]
    emit(
        table(
            f"Resident memory over {4 * quarter} conversations ({len(TURNS)} turns each)",
            [*header, "growth MiB / 1,000 conv."],
            rows,
        )
    )


if __name__ == "__main__":
    main()
