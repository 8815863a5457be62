"""No case lost, none filed twice: conversations through the gateway while the back end fails.

200 conversations each open a case through the gateway's webchat endpoint while the Connect
Cases stand-in fails a share of calls (errors, throttling, lost replies, timeouts) and is
stopped for a while in the middle. Afterwards every case a user confirmed exists exactly once,
with the values the user gave, and every user whose case was queued has been told its reference
(the gateway keeps the notice for the conversation's next message).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest

from tests.support.processes import Process, procfile_commands
from tests.support.stack import DOMAIN_ID, MODEL, ready_urls, stack_env

CONVERSATIONS = 200
AT_ONCE = 10
DOWN_AFTER = 70
DOWN_SECONDS = 15
DESCRIPTION_ID = "3b8e2f60-5a41-4c9d-8e77-0c2d4f6a8b10"
CONTACT_ID = "6d1a9c47-2e83-4b5f-9a60-7c3e5b1d2f21"
PRIORITY_ID = "9f4c2b18-7d65-4a3e-b1c0-2e8d6f4a9c32"
ORIGIN_ID = "1e7b5d29-8c46-4f1a-a3d2-5b9e7c1f3a43"
FAULTS = {
    "error_share": 0.08,
    "throttle_share": 0.08,
    "lost_reply_share": 0.05,
    "timeout_share": 0.03,
    "timeout_seconds": 5,
}
REF = re.compile(r"\b\d{8}\b")


@dataclass
class Stack:
    env: dict[str, str]
    processes: dict[str, Process]

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.env['GATEWAY_PORT']}"

    @property
    def sandbox(self) -> str:
        return f"http://127.0.0.1:{self.env['SANDBOX_PORT']}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does)")
    tmp = tmp_path_factory.mktemp("faults")
    env = stack_env(tmp)
    env.update(
        {
            "CONNECT_CASES_CONNECT_TIMEOUT": "1",
            "CONNECT_CASES_READ_TIMEOUT": "2",
            "CREATE_DEADLINE_SECONDS": "4",
            "OUTBOX_MAX_DELAY_SECONDS": "5",
            "LOG_LEVEL": "WARNING",
        }
    )
    processes = {
        name: Process(name, command, env, tmp / f"{name}.log")
        for name, command in procfile_commands().items()
    }
    urls = ready_urls(env)
    try:
        for process in processes.values():
            process.start()
        for name, url in urls.items():
            processes[name].wait_ready(url)
        yield Stack(env, processes)
    finally:
        for process in processes.values():
            process.stop()


@dataclass
class Outcome:
    title: str
    description: str
    contact: str
    result: str = ""
    user_retries: int = 0
    sender: str = ""


async def say(http: httpx.AsyncClient, stack: Stack, sender: str, text: str) -> str:
    for _ in range(5):
        response = await http.post(
            f"{stack.gateway}/webchat/messages", json={"sender": sender, "message": text}
        )
        if response.status_code == 200:
            return "\n".join(reply.get("text", "") for reply in response.json())
        # the gateway answers 503 while Rasa cannot: the user tries again a moment later
        await asyncio.sleep(1)
    raise AssertionError(f"the gateway kept failing: {response.status_code} {response.text}")


async def open_case(http: httpx.AsyncClient, stack: Stack, number: int) -> Outcome:
    """Open a case the way a user would: answer whatever the assistant asks, then say yes."""
    # letters only: digits in an address could read as part of a phone number
    tag = uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))
    outcome = Outcome(
        # a title as people write them: a random tag in it can read as small talk to the NLU
        title=f"Router down in flat {number}",
        description=f"Since Monday the router drops every evening around eight, ref {tag}.",
        contact=f"customer.{tag}@example.com",
    )
    sender = f"fault-{tag}"
    outcome.sender = sender
    answers = {
        "what is it about": outcome.title,
        "describe": outcome.description,
        "reach you": outcome.contact,
        "how urgent": "high",
    }
    answer = await say(http, stack, sender, "I want to open a case")
    for _ in range(30):
        if REF.search(answer):
            outcome.result = "created"
            return outcome
        if "kept your case" in answer:
            outcome.result = "queued"
            return outcome
        if "shall i open it" in answer.lower():
            assert outcome.title in answer and outcome.description in answer, answer
            assert outcome.contact in answer, answer
            answer = await say(http, stack, sender, "yes")
            continue
        # the question asked last is the one to answer
        asked = max(answers, key=lambda cue: answer.lower().rfind(cue))
        if asked in answer.lower():
            answer = await say(http, stack, sender, answers[asked])
            continue
        # "say yes to try again": the user does, as people do
        outcome.user_retries += 1
        await asyncio.sleep(1)
        answer = await say(http, stack, sender, "yes")
    raise AssertionError(f"conversation {number} went nowhere: {answer}")


async def drive(stack: Stack) -> list[Outcome]:
    outcomes: list[Outcome] = []
    gate = asyncio.Semaphore(AT_ONCE)
    started = asyncio.Event()

    async def one(http: httpx.AsyncClient, number: int) -> None:
        async with gate:
            outcomes.append(await open_case(http, stack, number))
            if len(outcomes) == DOWN_AFTER:
                started.set()

    async def outage() -> None:
        await started.wait()
        stack.processes["sandbox"].stop(kill=True)
        await asyncio.sleep(DOWN_SECONDS)
        stack.processes["sandbox"].start()
        await asyncio.to_thread(
            stack.processes["sandbox"].wait_ready, ready_urls(stack.env)["sandbox"]
        )
        await asyncio.to_thread(set_faults, stack)

    async with httpx.AsyncClient(timeout=90) as http:
        await asyncio.gather(outage(), *(one(http, n) for n in range(CONVERSATIONS)))
    return outcomes


def set_faults(stack: Stack) -> None:
    response = httpx.put(f"{stack.sandbox}/_sandbox/faults", json={"connectcases": FAULTS})
    response.raise_for_status()


def all_cases(stack: Stack) -> list[dict[str, Any]]:
    cases = boto3.client(
        "connectcases",
        endpoint_url=f"{stack.sandbox}/connectcases",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )
    names = ("title", "reference_number", DESCRIPTION_ID, CONTACT_ID, PRIORITY_ID, ORIGIN_ID)
    fields = [{"id": f} for f in names]
    found = []
    for page in cases.get_paginator("search_cases").paginate(
        domainId=DOMAIN_ID, fields=fields, PaginationConfig={"PageSize": 100}
    ):
        for case in page["cases"]:
            found.append({f["id"]: f["value"].get("stringValue") for f in case["fields"]})
    return found


def notices_sent(stack: Stack) -> int:
    """How many notices about queued cases the gateway has delivered (or kept for webchat)."""
    path = stack.env["NOTICE_QUEUE_DB"]
    with sqlite3.connect(path) as db:
        known = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'outreach_records'")
        if known.fetchone() is None:
            return 0
        row = db.execute("SELECT COUNT(*) FROM outreach_records WHERE status = 'sent'").fetchone()
    return int(row[0])


async def told(stack: Stack, outcomes: list[Outcome]) -> dict[str, str]:
    """What each queued conversation hears next: the notice kept for it comes first."""
    async with httpx.AsyncClient(timeout=90) as http:
        answers = await asyncio.gather(
            *(say(http, stack, outcome.sender, "thanks") for outcome in outcomes)
        )
    return {outcome.title: answer for outcome, answer in zip(outcomes, answers, strict=True)}


def test_every_confirmed_case_exists_exactly_once_despite_faults_and_an_outage(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    set_faults(stack)
    started = time.monotonic()

    outcomes = asyncio.run(drive(stack))
    httpx.delete(f"{stack.sandbox}/_sandbox/faults").raise_for_status()
    injected = httpx.get(f"{stack.sandbox}/_sandbox/faults").json()["injected"]

    titles = {outcome.title for outcome in outcomes}
    deadline = time.monotonic() + 120
    while True:
        cases = [case for case in all_cases(stack) if case["title"] in titles]
        if len({case["title"] for case in cases}) == len(titles) or time.monotonic() > deadline:
            break
        time.sleep(2)

    queued = [outcome for outcome in outcomes if outcome.result == "queued"]
    deadline = time.monotonic() + 120
    while notices_sent(stack) < len(queued) and time.monotonic() < deadline:
        time.sleep(1)
    heard = asyncio.run(told(stack, queued))
    refs = {case["title"]: case["reference_number"] for case in cases}
    told_ref = [o.title for o in queued if refs.get(o.title) and refs[o.title] in heard[o.title]]

    per_title = Counter(case["title"] for case in cases)
    results = Counter(outcome.result for outcome in outcomes)
    with capsys.disabled():
        print(  # noqa: T201 - the counts are this test's report
            f"\n{len(outcomes)} conversations in {time.monotonic() - started:.0f} s: "
            f"{results['created']} created at once, {results['queued']} queued for later, "
            f"{sum(o.user_retries for o in outcomes)} user retries; faults injected after the "
            f"outage: {injected}; cases found: {len(per_title)}, "
            f"missing: {len(titles - set(per_title))}, "
            f"filed twice: {sum(1 for n in per_title.values() if n > 1)}; queued users told "
            f"their reference: {len(told_ref)} of {len(queued)}"
        )
    assert len(outcomes) == CONVERSATIONS
    assert results["queued"] > 0, "the outage should have sent some cases to the outbox"
    assert titles - set(per_title) == set()
    assert [title for title, n in per_title.items() if n > 1] == []
    by_title = {case["title"]: case for case in cases}
    for outcome in outcomes:
        case = by_title[outcome.title]
        assert case[DESCRIPTION_ID] == outcome.description
        assert case[CONTACT_ID] == outcome.contact
        assert case[PRIORITY_ID] == "High"
        assert case[ORIGIN_ID] == "webchat"
    # told once: the notice came with the first message after it, and "thanks" got its answer
    for outcome in queued:
        answer = heard[outcome.title]
        assert answer.count("is now open as") == 1, answer
    assert sorted(told_ref) == sorted(o.title for o in queued)
