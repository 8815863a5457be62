"""Stack overhead: the gateway's webchat endpoint against Rasa's REST channel, same conversations.

    .venv/bin/python -m bench.overhead [--rounds 6] [--conversations 20]

Both paths run the same scripted conversations on the same running stack, in alternating
rounds, at 1 and 20 conversations at a time. Printed per path and concurrency: messages per
second and p50/p95 turn latency (medians over rounds), and the gateway/Rasa ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass, field

import httpx

from bench.common import FORM_CONVERSATION, emit, median, percentile, ratio, stack, table

METADATA = {"channel": "webchat", "origin": "webchat", "role": "customer"}


@dataclass
class Round:
    """One round's turn latencies (seconds) and its wall time."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0

    @property
    def throughput(self) -> float:
        """Messages per second."""
        return len(self.latencies) / self.wall if self.wall else 0.0


async def _conversation(http: httpx.AsyncClient, url: str, direct: bool, out: Round) -> None:
    sender = uuid.uuid4().hex
    for text in FORM_CONVERSATION:
        body: dict[str, object]
        if direct:
            body = {"sender": f"webchat:{sender}", "message": text, "metadata": METADATA}
        else:
            body = {"sender": sender, "message": text}
        started = time.perf_counter()
        response = await http.post(url, json=body)
        out.latencies.append(time.perf_counter() - started)
        response.raise_for_status()


async def run_round(
    url: str, direct: bool, conversations: int, concurrency: int, token: str = ""
) -> Round:
    """``conversations`` conversations, ``concurrency`` at a time; ``direct`` ones to Rasa's
    REST channel carry the ``token`` it requires, as the gateway's do."""
    result = Round()
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"} if direct else {}
    async with httpx.AsyncClient(timeout=120, limits=limits, headers=headers) as http:

        async def one() -> None:
            async with gate:
                await _conversation(http, url, direct, result)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(conversations)))
        result.wall = time.perf_counter() - started
    return result


async def measure(
    gateway: str, rasa: str, rounds: int, conversations: int, token: str
) -> list[list[object]]:
    """Alternate the two paths for each concurrency; one table row per path and concurrency."""
    paths = {"gateway": (f"{gateway}/webchat/messages", False)}
    paths["rasa"] = (f"{rasa}/webhooks/rest/webhook", True)
    rows: list[list[object]] = []
    # one untimed conversation per path warms models, caches and connections
    for url, direct in paths.values():
        await run_round(url, direct, 2, 2, token)
    for concurrency in (1, 20):
        seen: dict[str, list[Round]] = {name: [] for name in paths}
        count = max(conversations, concurrency) if concurrency > 1 else max(2, conversations // 2)
        for _ in range(rounds):
            for name, (url, direct) in paths.items():
                seen[name].append(await run_round(url, direct, count, concurrency, token))
        figures = {
            name: (
                median([r.throughput for r in done]),
                median([percentile(r.latencies, 0.5) for r in done]) * 1000,
                median([percentile(r.latencies, 0.95) for r in done]) * 1000,
            )
            for name, done in seen.items()
        }
        for name, (mps, p50, p95) in figures.items():
            rows.append([name, concurrency, f"{mps:.1f}", f"{p50:.1f}", f"{p95:.1f}", "", ""])
        gateway_mps, gateway_p50, _ = figures["gateway"]
        rasa_mps, rasa_p50, _ = figures["rasa"]
        rows.append(
            [
                "gateway / rasa",
                concurrency,
                ratio(gateway_mps, rasa_mps),
                "",
                "",
                f"{ratio(gateway_mps, rasa_mps)} of Rasa's throughput",
                f"{gateway_p50 - rasa_p50:+.1f} ms p50",
            ]
        )
    return rows


def main() -> None:
    """Start the stack, measure both paths, print and record the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--conversations", type=int, default=20)
    args = parser.parse_args()
    with stack() as running:
        rows = asyncio.run(
            measure(
                running.gateway_url,
                running.rasa_url,
                args.rounds,
                args.conversations,
                running.env["RASA_API_TOKEN"],
            )
        )
    header = ["path", "concurrent", "msg/s", "p50 ms", "p95 ms", "throughput", "added"]
    title = (
        f"Stack overhead: gateway vs Rasa REST ({args.rounds} alternating rounds, "
        f"{len(FORM_CONVERSATION)}-turn conversations; targets: >= 0.90 of Rasa's throughput, "
        "<= 10 ms added p50)"
    )
    emit(table(title, header, rows))


if __name__ == "__main__":
    main()
