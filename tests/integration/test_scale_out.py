"""casebot past one machine: two of every process on shared Redis and PostgreSQL, and crashes.

Real servers: Redis (everything the gateways share on db 0, Rasa's lock store on db 1) and
PostgreSQL (Rasa's tracker store, and the action servers' outbox and AICC keys in its
``casebot`` schema), started from the Debian packages' binaries. Two Rasa processes with
deploy/endpoints.yml behind a round-robin proxy (the gateways' ``RASA_URL``), two action
servers behind another (Rasa's action endpoint), two gateways sharing their queues and records
in Redis, each process with its own local files, so only the shared stores can keep them from
losing or doubling work; the sandbox for the Graph API, Twilio and Connect Cases
(``tests/support/fleet.py``). Meta's and Twilio's redelivery is played by sending the same
signed webhook to both gateways at once (``tests/support/meta.py``,
``tests/support/twilio_player.py``).
The last test SIGKILLs one process of each pair while customers on both channels open cases
(``tests/support/kills.py``), so it runs last.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import boto3
import httpx
import pytest

from tests.support import kills
from tests.support.fleet import GATEWAYS, RASA, Fleet, fleet
from tests.support.meta import Customer, GraphLog, webhook
from tests.support.stack import DOMAIN_ID

REF = re.compile(r"\b\d{8}\b")
#: every other one on Twilio; about 25 s of conversations under the kills on a 2-core machine,
#: and the whole module two and a quarter minutes with the fleet's start and the kills'
#: recovery; `python -m bench.scale_kill` runs 200
CONVERSATIONS = 120
CONCURRENCY = 20


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    with fleet(tmp_path_factory.mktemp("scale-out")) as running:
        yield running


@pytest.fixture
async def graph(scaled: Fleet) -> AsyncIterator[tuple[httpx.AsyncClient, GraphLog]]:
    async with httpx.AsyncClient(timeout=30) as http:
        log = GraphLog(http, scaled.sandbox)
        polling = asyncio.create_task(log.run())
        yield http, log
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)


def customer(scaled: Fleet, graph: tuple[httpx.AsyncClient, GraphLog]) -> Customer:
    http, log = graph
    return Customer(http, [scaled.url(name) for name in GATEWAYS], log)


async def say(user: Customer, text: str, settle: float = 2.0) -> str:
    """Send ``text`` and return what the assistant answered, once it stops writing."""
    before = len(user.received())
    await user.send(text)
    return "\n".join((await user.quiet(settle))[before:])


def rasa_tracker(scaled: Fleet, sender: str) -> dict[str, Any]:
    response = httpx.get(
        f"{scaled.env['RASA_URL']}/conversations/whatsapp:{sender}/tracker",
        params={"token": scaled.env["RASA_API_TOKEN"]},
        timeout=30,
    )
    response.raise_for_status()
    tracker: dict[str, Any] = response.json()
    return tracker


def user_texts(scaled: Fleet, sender: str) -> list[str]:
    events = rasa_tracker(scaled, sender)["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


def cases_titled(scaled: Fleet, title: str) -> list[dict[str, Any]]:
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


async def open_case(user: Customer, answer: str, answers: dict[str, str]) -> str:
    """Answer whatever the assistant asks after ``answer`` until it gives the case's reference."""
    for _ in range(12):
        refs = REF.findall(answer)
        if refs:
            return str(refs[0])
        if "shall i open it" in answer.lower():
            answer = await say(user, "yes")
            continue
        # the question asked last is the one to answer
        asked = max(answers, key=lambda cue: answer.lower().rfind(cue))
        assert asked in answer.lower(), f"unexpected question: {answer}"
        answer = await say(user, answers[asked])
    raise AssertionError(f"the conversation went nowhere: {answer}")


def case_answers(tag: str) -> dict[str, str]:
    return {
        cue: text.format(tag=tag) for cue, text in kills.ANSWERS.items() if cue != "shall i open it"
    }


async def test_a_message_delivered_to_both_gateways_is_answered_once(
    scaled: Fleet, graph: tuple[httpx.AsyncClient, GraphLog]
) -> None:
    user = customer(scaled, graph)
    first = await say(user, "hi")
    assert first, "the assistant answered"
    answered = user.received()
    # Meta tries once more later: the dedup key in Redis still refuses it
    await user.deliver(webhook(user.number, user.message_ids[0], "hi"))
    await asyncio.sleep(3)

    assert user.received() == answered
    assert user_texts(scaled, user.number) == ["hi"]
    # Rasa's lock store talks to Redis (db 1) rather than keeping locks in its memory
    assert re.search(r"\bdb=1\b", scaled.redis.cli("CLIENT", "LIST")), "Rasa uses Redis locks"


async def test_a_case_opened_through_both_gateways_and_action_servers_is_created_once(
    scaled: Fleet, graph: tuple[httpx.AsyncClient, GraphLog]
) -> None:
    tag = kills.letters()
    answers = case_answers(tag)
    served_before = len(scaled.actions_proxy.served)
    user = customer(scaled, graph)
    ref = await open_case(user, await say(user, kills.OPENING), answers)
    await asyncio.sleep(3)
    told = [text for text in user.received() if ref in text]

    matches = cases_titled(scaled, answers["what is it about"])
    assert len(matches) == 1
    values = {f["id"]: f["value"].get("stringValue") for f in matches[0]["fields"]}
    assert values["reference_number"] == ref
    assert len(told) == 1, "the customer was told the reference once"
    served = scaled.actions_proxy.served[served_before:]
    assert set(served) == set(scaled.actions_proxy.targets), "both action servers took part"
    # every message reached Rasa once, though each came in through both gateways
    assert len(user_texts(scaled, user.number)) == len(user.message_ids)


async def test_a_conversation_survives_a_restart_of_every_rasa(
    scaled: Fleet, graph: tuple[httpx.AsyncClient, GraphLog]
) -> None:
    tag = kills.letters()
    answers = case_answers(tag)
    user = customer(scaled, graph)
    asked = await say(user, kills.OPENING)
    assert "what is it about" in asked.lower()
    asked = await say(user, answers["what is it about"])
    assert "describe" in asked.lower()
    sender_id = f"whatsapp:{user.number}"
    stored = scaled.postgres.psql(
        "rasa", f"SELECT count(*) FROM events WHERE sender_id = '{sender_id}'"
    )
    assert int(stored) > 0, "the conversation is in PostgreSQL"

    # both at once: no Rasa keeps the conversation in its memory meanwhile
    for name in RASA:
        scaled.processes[name].stop()
    for name in RASA:
        scaled.processes[name].start()
    await asyncio.to_thread(scaled.wait_ready, RASA)

    # the form goes on where it was: the description is the next thing asked for
    after = await say(user, answers["describe"])
    assert "what is it about" not in after.lower() and "describe" not in after.lower()
    remaining = {k: v for k, v in answers.items() if k not in ("what is it about", "describe")}
    reference = await open_case(user, after, remaining)

    matches = cases_titled(scaled, answers["what is it about"])
    assert len(matches) == 1
    values = {f["id"]: f["value"].get("stringValue") for f in matches[0]["fields"]}
    assert values["reference_number"] == reference
    said = user_texts(scaled, user.number)
    assert said[:3] == [kills.OPENING, answers["what is it about"], answers["describe"]]


def waiting_in_outbox(scaled: Fleet) -> int:
    """Cases the action servers' shared outbox (PostgreSQL) still holds for the back end."""
    table = "casebot.outbox_submissions"
    made = scaled.postgres.psql("rasa", f"SELECT to_regclass('{table}') IS NOT NULL").strip()
    assert made == "t", "the action servers keep their outbox in PostgreSQL"
    sql = f"SELECT count(*) FROM {table} WHERE state = 'pending'"
    return int(scaled.postgres.psql("rasa", sql))


async def test_killing_one_of_each_process_loses_and_doubles_no_case_and_no_reply(
    scaled: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    result = await kills.run(scaled, CONVERSATIONS, CONCURRENCY)
    counted = kills.tally(scaled, result)
    with capsys.disabled():
        print("\n" + kills.summary(result, counted))  # noqa: T201 - the figures are its report

    assert [kill.process for kill in result.kills] == [p for _, p in kills.KILLS]
    assert all(kill.in_flight for kill in result.kills), "each kill came with turns under way"
    # Rasa and the action server died in the middle of requests, which the survivors finished
    assert all(kill.dropped for kill in result.kills if kill.dropped is not None), result.kills
    assert not any(scaled.alive(kill.process) for kill in result.kills), "they stayed dead"
    # the survivors took over within the gateway's lease and Rasa's lock lifetime: no
    # conversation the dead one was in was held for a minute
    recovered = {kill.process: kill.recovered for kill in result.kills}
    assert all(took is not None and took < 60 for took in recovered.values()), recovered
    assert counted.conversations == CONVERSATIONS
    on = Counter(conversation.channel for conversation in result.conversations)
    assert on == {"whatsapp": CONVERSATIONS // 2, "twilio": CONVERSATIONS // 2}
    assert (counted.cases_lost, counted.cases_doubled) == ([], [])
    assert counted.cases_once == CONVERSATIONS
    assert counted.wrong_reference == []
    assert (counted.replies_lost, counted.replies_doubled) == (0, 0), counted.differing
    assert counted.differing == {}
    # no case waits in the outbox the dead action server shared: the survivor filed them all
    assert waiting_in_outbox(scaled) == 0
