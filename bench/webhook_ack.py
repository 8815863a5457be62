"""WhatsApp webhook acknowledgement: time to 200 OK at a steady rate while Rasa is saturated.

    .venv/bin/python -m bench.webhook_ack [--rate 200] [--seconds 15]

Signed text notifications (each its own wamid, from 100 senders) are sent open-loop at
``rate`` per second, while 30 webchat conversations keep Rasa busy. Meta only needs the 200:
processing happens after, from the durable queue. Printed: p50/p99/max of the time to 200,
how many were answered 200, and the rate actually achieved.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import time
import uuid

import httpx

from bench.common import emit, percentile, stack, table

APP_SECRET = "bench-app-secret"
SETTINGS = {
    "WHATSAPP_APP_SECRET": APP_SECRET,
    "WHATSAPP_VERIFY_TOKEN": "bench-verify",
    "WHATSAPP_ACCESS_TOKEN": "sandbox-whatsapp-token",
    "WHATSAPP_PHONE_NUMBER_ID": "100000000000001",
    "LOG_LEVEL": "WARNING",
}
SENDERS = [f"4477009{n:05d}" for n in range(100)]


def notification(sender: str) -> bytes:
    message = {
        "from": sender,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": "hi"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": "100000000000001"},
        "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def signature(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


async def saturate(url: str, stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=120) as http:

        async def loop() -> None:
            sender = uuid.uuid4().hex
            while not stop.is_set():
                await http.post(url, json={"sender": sender, "message": "I want to open a case"})

        await asyncio.gather(*(loop() for _ in range(30)))


async def blast(url: str, rate: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    ok = 0
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:

        async def one(body: bytes) -> None:
            nonlocal ok
            started = time.perf_counter()
            headers = {"content-type": "application/json", "x-hub-signature-256": signature(body)}
            response = await http.post(url, content=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            ok += response.status_code == 200

        tasks = []
        total = int(rate * seconds)
        bodies = [notification(SENDERS[i % len(SENDERS)]) for i in range(total)]
        started = time.perf_counter()
        for i, body in enumerate(bodies):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(body)))
        sent_in = time.perf_counter() - started
        await asyncio.gather(*tasks)
    return latencies, ok, total / sent_in


async def measure(gateway: str, rate: int, seconds: float) -> list[list[object]]:
    stop = asyncio.Event()
    load = asyncio.create_task(saturate(f"{gateway}/webchat/messages", stop))
    await asyncio.sleep(3)
    latencies, ok, achieved = await blast(f"{gateway}/webhooks/whatsapp", rate, seconds)
    stop.set()
    await load
    return [
        [
            len(latencies),
            ok,
            f"{achieved:.0f}",
            f"{percentile(latencies, 0.5) * 1000:.1f}",
            f"{percentile(latencies, 0.99) * 1000:.1f}",
            f"{max(latencies) * 1000:.1f}",
        ]
    ]


def main() -> None:
    """Start the stack with WhatsApp on, measure, print and record."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    with stack(SETTINGS) as running:
        rows = asyncio.run(measure(running.gateway_url, args.rate, args.seconds))
    emit(
        table(
            f"WhatsApp webhook: time to 200 at {args.rate}/s for {args.seconds:.0f} s while Rasa "
            "is saturated (target p99 <= 25 ms)",
            ["sent", "200 OK", "achieved /s", "p50 ms", "p99 ms", "max ms"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
