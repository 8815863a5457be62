"""The Redis queue against a real redis-server: TTLs, crashed holders, gateways sharing it."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from api.app import create_app
from api.channels.whatsapp.signature import sign
from api.jobs.queue import Job
from api.jobs.redis import RedisQueue, queue_prefix
from api.jobs.worker import QueueWorker, WorkerPolicy
from sandbox.whatsapp.routes import whatsapp_app
from sandbox.whatsapp.state import GraphState
from tests.support.services import RedisServer, free_port, redis_server

APP_SECRET = "app-secret-for-redis-tests"
GRAPH_TOKEN = "graph-token-for-redis-tests"
PHONE_NUMBER_ID = "106540352242922"


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis"), password="s3cret") as server:
        yield server


@pytest.fixture
def prefix() -> str:
    return f"test:{{{uuid.uuid4().hex}}}:"


@pytest.fixture
async def queues() -> AsyncIterator[list[RedisQueue]]:
    opened: list[RedisQueue] = []
    yield opened
    for queue in opened:
        await queue.close()


def open_queue(redis: RedisServer, prefix: str, opened: list[RedisQueue], **kw: Any) -> RedisQueue:
    queue = RedisQueue.from_url(redis.url(), prefix=prefix, **kw)
    opened.append(queue)
    return queue


async def test_a_dedup_key_is_kept_by_redis_for_the_retention_time(redis, prefix, queues):
    queue = open_queue(redis, prefix, queues, key_ttl_seconds=8 * 86400)

    await queue.enqueue("wamid.1", "alice", {})

    ttl = int(redis.cli("TTL", f"{prefix}key:wamid.1"))
    assert 8 * 86400 - 5 < ttl <= 8 * 86400


async def test_once_redis_expires_a_dedup_key_the_message_is_accepted_again(redis, prefix, queues):
    queue = open_queue(redis, prefix, queues, key_ttl_seconds=1)
    await queue.enqueue("wamid.1", "alice", {})
    await queue.ack(await queue.claim(60))
    assert await queue.enqueue("wamid.1", "alice", {}) is False

    await asyncio.sleep(1.2)

    assert await queue.enqueue("wamid.1", "alice", {}) is True


async def test_a_crashed_holders_job_is_taken_by_another_process_when_its_lease_ends(
    redis, prefix, queues
):
    crashed = open_queue(redis, prefix, queues)
    survivor = open_queue(redis, prefix, queues)
    await crashed.enqueue("wamid.1", "alice", {"text": "hello"})
    await crashed.enqueue("wamid.2", "alice", {"text": "again"})
    assert (await crashed.claim(0.5)).key == "wamid.1"
    await crashed.close()  # gone without ack: only the lease's end frees the job
    handled: list[Job] = []
    done = asyncio.Event()

    async def handle(job: Job) -> None:
        handled.append(job)
        if len(handled) == 2:
            done.set()

    worker = QueueWorker(survivor, handle, WorkerPolicy(lease_seconds=5, poll_seconds=0.05))
    started = time.monotonic()
    worker.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=10)
    finally:
        await worker.stop()

    assert [(j.key, j.attempts) for j in handled] == [("wamid.1", 2), ("wamid.2", 1)]
    assert time.monotonic() - started >= 0.3, "the job waited for the lease to end"
    assert await survivor.pending() == 0


async def test_a_worker_renews_its_lease_so_a_slow_job_is_not_taken_twice(redis, prefix, queues):
    mine, other = open_queue(redis, prefix, queues), open_queue(redis, prefix, queues)
    await mine.enqueue("wamid.slow", "alice", {})
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(job: Job) -> None:
        started.set()
        await release.wait()

    worker = QueueWorker(mine, slow, WorkerPolicy(lease_seconds=0.6, poll_seconds=0.05))
    worker.start()
    try:
        await asyncio.wait_for(started.wait(), timeout=5)
        for _ in range(8):  # 1.6 s: well past the first lease's end
            await asyncio.sleep(0.2)
            assert await other.claim(0.6) is None
        release.set()
        for _ in range(100):
            if await mine.pending() == 0:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()

    assert await mine.pending() == 0


async def test_queues_with_different_names_share_a_redis_without_meeting(redis, queues):
    run = uuid.uuid4().hex
    whatsapp = open_queue(redis, queue_prefix(f"whatsapp-{run}"), queues)
    twilio = open_queue(redis, queue_prefix(f"twilio-{run}"), queues)

    assert await whatsapp.enqueue("msg.1", "alice", {"from": "whatsapp"})
    assert await twilio.enqueue("msg.1", "alice", {"from": "twilio"})

    assert (await twilio.claim(60)).payload == {"from": "twilio"}
    assert await twilio.claim(60) is None
    assert (await whatsapp.claim(60)).payload == {"from": "whatsapp"}


async def test_buried_jobs_are_kept_with_their_reason(redis, prefix, queues):
    queue = open_queue(redis, prefix, queues)
    await queue.enqueue("wamid.1", "alice", {})
    await queue.bury(await queue.claim(60), "ValueError")

    assert await queue.buried() == [("wamid.1", "ValueError")]


async def test_the_queue_url_must_be_a_redis_one(settings_with):
    with pytest.raises(ValidationError, match="GATEWAY_QUEUE_URL"):
        settings_with(gateway_queue_url=SecretStr("postgresql://db/queue"))


def _webhook(wamid: str, sender: str, text: str) -> bytes:
    message = {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Sheena"}, "wa_id": sender}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


async def test_two_gateways_sharing_redis_answer_a_message_sent_to_both_once(
    redis, settings_with, tmp_path
):
    asked: list[str] = []
    graph = GraphState()

    async def rasa(request: httpx.Request) -> httpx.Response:
        message = json.loads(request.content)
        asked.append(message["message"])
        await asyncio.sleep(0.05)
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "On it."}])

    graph_app = whatsapp_app(graph, GRAPH_TOKEN, on_call=lambda _: None)

    class Route(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.host == "rasa.test":
                return await httpx.MockTransport(rasa).handle_async_request(request)
            return await httpx.ASGITransport(app=graph_app).handle_async_request(request)

    url = SecretStr(redis.url())
    async with AsyncExitStack() as stack:
        clients = []
        for name in ("a", "b"):
            settings = settings_with(
                whatsapp_app_secret=SecretStr(APP_SECRET),
                whatsapp_access_token=SecretStr(GRAPH_TOKEN),
                whatsapp_phone_number_id=PHONE_NUMBER_ID,
                whatsapp_api_base_url="http://graph.test",
                # each gateway its own file: only the shared Redis queue can dedup
                whatsapp_queue_db=tmp_path / name / "store.sqlite3",
                whatsapp_media_dir=tmp_path / name / "media",
                gateway_queue_url=url,
            )
            app = create_app(settings, transport=Route())
            await stack.enter_async_context(app.router.lifespan_context(app))
            assert isinstance(app.state.whatsapp.queue, RedisQueue)
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app), base_url=f"http://{name}.test"
                    )
                )
            )
        sender = f"4477{uuid.uuid4().int % 10**8:08d}"
        wamid = f"wamid.{uuid.uuid4().hex}"
        body = _webhook(wamid, sender, "Where is my case?")
        headers = {"X-Hub-Signature-256": sign(body, APP_SECRET)}

        answers = await asyncio.gather(
            *(c.post("/webhooks/whatsapp", content=body, headers=headers) for c in clients * 2)
        )
        assert [a.status_code for a in answers] == [200] * 4
        deadline = time.monotonic() + 10
        while not [s for s in graph.sent if s["wamid"]] and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.5)  # past a poll: a second copy would be handled by now

    assert asked == ["Where is my case?"]
    sent = [s["body"] for s in graph.sent if s["wamid"]]
    assert [(s["to"], s["text"]["body"]) for s in sent] == [(sender, "On it.")]


async def test_while_redis_is_unreachable_webhooks_fail_so_meta_delivers_them_again(
    settings_with, tmp_path
):
    settings = settings_with(
        whatsapp_app_secret=SecretStr(APP_SECRET),
        whatsapp_access_token=SecretStr(GRAPH_TOKEN),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_api_base_url="http://graph.test",
        whatsapp_queue_db=tmp_path / "store.sqlite3",
        whatsapp_media_dir=tmp_path / "media",
        gateway_queue_url=SecretStr(f"redis://127.0.0.1:{free_port()}/0"),
    )
    app = create_app(settings, transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    body = _webhook(f"wamid.{uuid.uuid4().hex}", "447700900123", "hello")
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                base_url="http://gw.test",
            )
        )
        started = time.monotonic()
        answer = await client.post(
            "/webhooks/whatsapp",
            content=body,
            headers={"X-Hub-Signature-256": sign(body, APP_SECRET)},
        )

    assert answer.status_code >= 500
    assert time.monotonic() - started < 15, "the call failed rather than hung"
