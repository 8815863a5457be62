"""casebot past one machine: shared Redis and PostgreSQL instead of files beside each process.

Real servers: Redis (the gateways' WhatsApp queue on db 0, Rasa's lock store on db 1) and
PostgreSQL (Rasa's tracker store), started from the Debian packages' binaries. One Rasa with
deploy/endpoints.yml; two action servers behind a round-robin proxy standing in for the load
balancer Rasa's single action URL would name; two gateways, each with its own local files, so
only the shared Redis queue can keep them from handling a message twice; the sandbox for the
Graph API and Connect Cases. Meta's redelivery is played by sending the same signed webhook
to both gateways at once.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from api.channels.whatsapp.signature import sign
from tests.support.processes import Process, procfile_commands
from tests.support.round_robin import RoundRobin, round_robin
from tests.support.services import (
    PostgresServer,
    RedisServer,
    free_port,
    postgres_server,
    rasa_store_env,
    redis_server,
)
from tests.support.stack import DOMAIN_ID, MODEL, stack_env

APP_SECRET = "scale-out-app-secret"
GRAPH_TOKEN = "scale-out-graph-token"
PHONE_NUMBER_ID = "100000000000001"
REF = re.compile(r"\b\d{8}\b")
GATEWAYS = ("gateway_a", "gateway_b")
ACTION_SERVERS = ("actions_a", "actions_b")


@dataclass
class Scaled:
    env: dict[str, str]
    processes: dict[str, Process]
    redis: RedisServer
    postgres: PostgresServer
    proxy: RoundRobin

    def gateway(self, name: str) -> str:
        return f"http://127.0.0.1:{self.processes[name].env['GATEWAY_PORT']}"

    @property
    def sandbox(self) -> str:
        return f"http://127.0.0.1:{self.env['SANDBOX_PORT']}"

    def wait_ready(self) -> None:
        for name in ACTION_SERVERS:
            port = self.processes[name].env["ACTIONS_PORT"]
            self.processes[name].wait_ready(f"http://127.0.0.1:{port}/health")
        for name in GATEWAYS:
            # 200 once Rasa has its model and the action server answers
            self.processes[name].wait_ready(f"{self.gateway(name)}/readyz")


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does)")
    tmp = tmp_path_factory.mktemp("scale-out")
    with (
        redis_server(tmp / "redis", password=secrets.token_urlsafe(12)) as redis,
        postgres_server(("rasa",)) as postgres,
    ):
        action_ports = {name: free_port() for name in ACTION_SERVERS}
        targets = [f"http://127.0.0.1:{port}" for port in action_ports.values()]
        with round_robin(targets) as proxy:
            env = _shared_env(tmp, redis, postgres, proxy)
            processes = _processes(tmp, env, action_ports)
            try:
                for process in processes.values():
                    process.start()
                scaled = Scaled(env, processes, redis, postgres, proxy)
                processes["sandbox"].wait_ready(f"{scaled.sandbox}/healthz")
                scaled.wait_ready()
                yield scaled
            finally:
                for process in processes.values():
                    process.stop()


def _shared_env(
    tmp: Path, redis: RedisServer, postgres: PostgresServer, proxy: RoundRobin
) -> dict[str, str]:
    env = stack_env(tmp)
    sandbox = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
    env.update(
        {
            **rasa_store_env(redis, postgres),
            "ACTION_ENDPOINT_URL": f"{proxy.url}/webhook",
            "GATEWAY_QUEUE_URL": redis.url(0),
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "scale-out-verify-token",
            "WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE_URL": f"{sandbox}/whatsapp",
            "WHATSAPP_RETRY_BASE_SECONDS": "0.2",
            "SANDBOX_WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _processes(tmp: Path, env: dict[str, str], action_ports: dict[str, int]) -> dict[str, Process]:
    commands = procfile_commands()
    own: dict[str, tuple[str, dict[str, str]]] = {
        "sandbox": ("sandbox", {}),
        "rasa": ("rasa", {}),
    }
    for name, port in action_ports.items():
        # each action server as if on its own machine: its own outbox file
        own[name] = (
            "actions",
            {"ACTIONS_PORT": str(port), "OUTBOX_DB": str(tmp / name / "outbox.sqlite3")},
        )
    ports = list(action_ports.values())
    for number, name in enumerate(GATEWAYS):
        files = tmp / name
        own[name] = (
            "gateway",
            {
                "GATEWAY_PORT": str(free_port()),
                "ACTIONS_URL": f"http://127.0.0.1:{ports[number]}",
                # nothing on disk is shared between the gateways: only Redis can dedup
                "WHATSAPP_QUEUE_DB": str(files / "whatsapp.sqlite3"),
                "WHATSAPP_MEDIA_DIR": str(files / "media"),
                "PROACTIVE_QUEUE_DB": str(files / "proactive.sqlite3"),
                "TWILIO_QUEUE_DB": str(files / "twilio.sqlite3"),
            },
        )
    for name in (*ACTION_SERVERS, *GATEWAYS):
        (tmp / name).mkdir(parents=True, exist_ok=True)
    return {
        name: Process(name, commands[kind], {**env, **extra}, tmp / f"{name}.log")
        for name, (kind, extra) in own.items()
    }


def webhook(sender: str, wamid: str, text: str) -> bytes:
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
        "contacts": [{"profile": {"name": "Sam Scale"}, "wa_id": sender}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def shown_text(body: dict[str, Any]) -> str:
    if body.get("type") == "text":
        return str(body["text"]["body"])
    if body.get("type") == "interactive":
        return str(body["interactive"]["body"]["text"])
    return f"[{body.get('type')}]"


class WhatsAppUser:
    """One customer whose every message Meta delivers to both gateways."""

    def __init__(self, scaled: Scaled, http: httpx.AsyncClient) -> None:
        self.scaled = scaled
        self.http = http
        self.number = f"4477009{uuid.uuid4().int % 10**5:05d}"
        self.wamids: list[str] = []

    async def sent_to_me(self) -> list[str]:
        response = await self.http.get(f"{self.scaled.sandbox}/whatsapp/_whatsapp/sent")
        response.raise_for_status()
        return [
            shown_text(entry["body"])
            for entry in response.json()
            if entry["wamid"] and entry["body"].get("to") == self.number
        ]

    async def deliver(self, body: bytes) -> None:
        """The webhook to both gateways at once, as a redelivery racing the first try would."""
        headers = {"X-Hub-Signature-256": sign(body, APP_SECRET)}
        answers = await asyncio.gather(
            *(
                self.http.post(
                    f"{self.scaled.gateway(name)}/webhooks/whatsapp", content=body, headers=headers
                )
                for name in GATEWAYS
            )
        )
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]

    async def say(self, text: str, settle: float = 2.0) -> str:
        """Send ``text`` and return what the assistant answered, once it stops writing."""
        before = len(await self.sent_to_me())
        wamid = f"wamid.{uuid.uuid4().hex}"
        self.wamids.append(wamid)
        await self.deliver(webhook(self.number, wamid, text))
        deadline = time.monotonic() + 90
        replies = await self.sent_to_me()
        while len(replies) == before:
            assert time.monotonic() < deadline, f"no answer to {text!r}"
            await asyncio.sleep(0.2)
            replies = await self.sent_to_me()
        quiet_since, count = time.monotonic(), len(replies)
        while time.monotonic() - quiet_since < settle:
            await asyncio.sleep(0.2)
            replies = await self.sent_to_me()
            if len(replies) != count:
                quiet_since, count = time.monotonic(), len(replies)
        return "\n".join(replies[before:])


def rasa_tracker(scaled: Scaled, sender: str) -> dict[str, Any]:
    response = httpx.get(
        f"{scaled.env['RASA_URL']}/conversations/whatsapp:{sender}/tracker",
        params={"token": scaled.env["RASA_API_TOKEN"]},
        timeout=30,
    )
    response.raise_for_status()
    tracker: dict[str, Any] = response.json()
    return tracker


def user_texts(scaled: Scaled, sender: str) -> list[str]:
    events = rasa_tracker(scaled, sender)["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


def cases_titled(scaled: Scaled, title: str) -> list[dict[str, Any]]:
    client = boto3.client(
        "connectcases",
        endpoint_url=f"{scaled.sandbox}/connectcases",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )
    found = client.search_cases(
        domainId=DOMAIN_ID,
        filter={"field": {"equalTo": {"id": "title", "value": {"stringValue": title}}}},
        fields=[{"id": "reference_number"}, {"id": "title"}],
    )
    return [dict(c) for c in found["cases"]]


async def open_case(user: WhatsAppUser, answer: str, answers: dict[str, str]) -> str:
    """Answer whatever the assistant asks after ``answer`` until it gives the case's reference."""
    for _ in range(12):
        refs = REF.findall(answer)
        if refs:
            return str(refs[0])
        if "shall i open it" in answer.lower():
            answer = await user.say("yes")
            continue
        # the question asked last is the one to answer
        asked = max(answers, key=lambda cue: answer.lower().rfind(cue))
        assert asked in answer.lower(), f"unexpected question: {answer}"
        answer = await user.say(answers[asked])
    raise AssertionError(f"the conversation went nowhere: {answer}")


def case_answers(tag: str) -> dict[str, str]:
    return {
        "what is it about": f"Boiler broken {tag}",
        "describe": f"The boiler shows error E{tag[:3]} and gives no hot water since Sunday.",
        "reach you": f"sam.{tag}@example.com",
        "how urgent": "high",
    }


def letters() -> str:
    # letters only: digits in a title could read as a reference or a phone number
    return uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))


async def test_a_message_delivered_to_both_gateways_is_answered_once(scaled: Scaled) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        user = WhatsAppUser(scaled, http)
        first = await user.say("hi")
        assert first, "the assistant answered"
        answered = await user.sent_to_me()
        # Meta tries once more later: the dedup key in Redis still refuses it
        await user.deliver(webhook(user.number, user.wamids[0], "hi"))
        await asyncio.sleep(3)

        assert await user.sent_to_me() == answered
    assert user_texts(scaled, user.number) == ["hi"]
    # Rasa's lock store talks to Redis (db 1) rather than keeping locks in its memory
    assert re.search(r"\bdb=1\b", scaled.redis.cli("CLIENT", "LIST")), "Rasa uses Redis locks"


async def test_a_case_opened_through_both_gateways_and_action_servers_is_created_once(
    scaled: Scaled,
) -> None:
    tag = letters()
    answers = case_answers(tag)
    served_before = len(scaled.proxy.served)
    async with httpx.AsyncClient(timeout=30) as http:
        user = WhatsAppUser(scaled, http)
        ref = await open_case(user, await user.say("I want to open a case"), answers)
        await asyncio.sleep(3)
        told = [text for text in await user.sent_to_me() if ref in text]

    matches = cases_titled(scaled, answers["what is it about"])
    assert len(matches) == 1
    values = {f["id"]: f["value"].get("stringValue") for f in matches[0]["fields"]}
    assert values["reference_number"] == ref
    assert len(told) == 1, "the customer was told the reference once"
    served = scaled.proxy.served[served_before:]
    assert set(served) == set(scaled.proxy.targets), "both action servers took part"
    # every message reached Rasa once, though each came in through both gateways
    assert len(user_texts(scaled, user.number)) == len(user.wamids)


async def test_a_conversation_survives_a_restart_of_rasa(scaled: Scaled) -> None:
    tag = letters()
    answers = case_answers(tag)
    async with httpx.AsyncClient(timeout=30) as http:
        user = WhatsAppUser(scaled, http)
        asked = await user.say("I want to open a case")
        assert "what is it about" in asked.lower()
        asked = await user.say(answers["what is it about"])
        assert "describe" in asked.lower()
        sender_id = f"whatsapp:{user.number}"
        stored = scaled.postgres.psql(
            "rasa", f"SELECT count(*) FROM events WHERE sender_id = '{sender_id}'"
        )
        assert int(stored) > 0, "the conversation is in PostgreSQL"

        scaled.processes["rasa"].stop()
        scaled.processes["rasa"].start()
        await asyncio.to_thread(scaled.wait_ready)

        # the form goes on where it was: the description is the next thing asked for
        after = await user.say(answers["describe"])
        assert "what is it about" not in after.lower() and "describe" not in after.lower()
        remaining = {k: v for k, v in answers.items() if k not in ("what is it about", "describe")}
        reference = await open_case(user, after, remaining)

    matches = cases_titled(scaled, answers["what is it about"])
    assert len(matches) == 1
    values = {f["id"]: f["value"].get("stringValue") for f in matches[0]["fields"]}
    assert values["reference_number"] == reference
    said = user_texts(scaled, user.number)
    assert said[:3] == ["I want to open a case", answers["what is it about"], answers["describe"]]
