"""WhatsApp webhook acknowledgement: time to 200 OK at a steady rate while Rasa is saturated.

    .venv/bin/python -m bench.webhook_ack [--rate 200] [--seconds 15]

Signed text notifications (each its own wamid, from 100 senders) are sent open-loop at
``rate`` per second over keep-alive connections, while 30 webchat conversations sent from
another process keep Rasa busy. Meta only needs the 200: processing happens after, from the
durable queue. Printed: p50/p99/max of the time to 200 (from when each request was due), how
many were answered 200, the rate actually achieved and how many connections it took.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import multiprocessing
import time
import uuid
from urllib.parse import urlsplit

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


async def saturate(url: str, seconds: float) -> None:
    """30 webchat conversations sending back to back for ``seconds``: Rasa never idles."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=120) as http:

        async def loop() -> None:
            sender = uuid.uuid4().hex
            while time.monotonic() < deadline:
                await http.post(url, json={"sender": sender, "message": "I want to open a case"})

        await asyncio.gather(*(loop() for _ in range(30)))


def saturate_in_process(url: str, seconds: float) -> None:
    """``saturate`` in a process of its own, so its work never delays the measured requests."""
    asyncio.run(saturate(url, seconds))


class Connections:
    """Keep-alive HTTP/1.1 connections to one server, a new one opened whenever all are busy.

    Written out rather than taken from httpx: at a few hundred requests in flight httpx's
    connection pool spends longer on its own bookkeeping than the server takes to answer, and
    that wait would be counted as the server's.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._path = parts.path
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def post(self, body: bytes, headers: dict[str, str]) -> int:
        """POST ``body``; the response's status code."""
        head = [f"POST {self._path} HTTP/1.1", f"host: {self._host}:{self._port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"content-length: {len(body)}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        while True:
            reused = bool(self._idle)
            if reused:
                reader, writer = self._idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self._host, self._port)
                self.opened += 1
            writer.write(request)
            status_line = await reader.readline()
            if status_line:
                break
            writer.close()  # the server closed an idle connection; send it on a fresh one
            if not reused:
                raise ConnectionError("the server closed a new connection without answering")
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        await reader.readexactly(length)
        self._idle.append((reader, writer))
        return int(status_line.split()[1])

    def close(self) -> None:
        """Close every idle connection."""
        for _, writer in self._idle:
            writer.close()


async def blast(url: str, rate: int, seconds: float) -> tuple[list[float], int, float, int]:
    """Send ``rate * seconds`` notifications open-loop; latencies, 200s, rate achieved, sockets.

    A request's time runs from when it was due, so a late send counts against the server.
    """
    latencies: list[float] = []
    ok = 0
    connections = Connections(url)

    async def one(body: bytes, due: float) -> None:
        nonlocal ok
        headers = {"content-type": "application/json", "x-hub-signature-256": signature(body)}
        status = await connections.post(body, headers)
        latencies.append(time.perf_counter() - due)
        ok += status == 200

    total = int(rate * seconds)
    bodies = [notification(SENDERS[i % len(SENDERS)]) for i in range(total)]
    tasks = []
    started = time.perf_counter()
    for i, body in enumerate(bodies):
        due = started + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(body, due)))
    sent_in = time.perf_counter() - started
    await asyncio.gather(*tasks)
    connections.close()
    return latencies, ok, total / sent_in, connections.opened


async def measure(gateway: str, rate: int, seconds: float) -> list[list[object]]:
    """Saturate Rasa from another process, then blast the webhook and time each answer."""
    warm_up = 3.0
    load = multiprocessing.get_context("spawn").Process(
        target=saturate_in_process, args=(f"{gateway}/webchat/messages", warm_up + seconds + 2)
    )
    load.start()
    try:
        await asyncio.sleep(warm_up)
        latencies, ok, achieved, opened = await blast(f"{gateway}/webhooks/whatsapp", rate, seconds)
    finally:
        load.join(timeout=180)
        if load.is_alive():
            load.terminate()
    return [
        [
            len(latencies),
            ok,
            f"{achieved:.0f}",
            opened,
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
            ["sent", "200 OK", "achieved /s", "connections", "p50 ms", "p99 ms", "max ms"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
