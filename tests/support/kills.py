"""Many customers open a case each while one of every kind of process is SIGKILLed.

Half of them write on WhatsApp through Meta's Cloud API, half through Twilio (every other
conversation), each channel with its own signed webhooks and its own stand-in's record.

What the promise means, read from the stand-ins' records and never from the processes' word:

- **a case filed exactly once**: each conversation's title (unique to it) finds exactly one
  case in the Connect Cases stand-in, carrying the reference the customer was told;
- **every reply delivered exactly once**: the replies of a conversation are the messages the
  same script gets from an undisturbed fleet on the same channel (``learn_script`` records
  them first), and the channel's stand-in (Graph or Twilio) must have accepted exactly those
  for the customer, in that order, none missing and none twice. A turn whose process died
  mid-way is no exception: its customer must still get that turn's replies once, from
  whichever process finished it.

The killed processes stay dead: the survivor of each pair must carry every conversation on
alone, including the ones the dead one was in the middle of; a restart would hide a lost
turn behind the restarted process finishing it. ``run`` drives ``conversations`` customers,
``concurrency`` at a time, each sending its next message once the last one is answered, and
kills one process of each pair when a share of all the turns has been answered (Rasa and the
action server at a moment their proxy sees them working on requests, so they die mid-request).
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import boto3
import httpx

from tests.support.fleet import GATEWAYS, Fleet
from tests.support.meta import Customer, GraphLog
from tests.support.round_robin import RoundRobin
from tests.support.stack import DOMAIN_ID
from tests.support.twilio_player import TwilioCustomer, TwilioLog

REF = re.compile(r"\b\d{8}\b")
#: what the customer answers each question of the case form with ({tag} makes it theirs)
ANSWERS = {
    "what is it about": "Boiler broken {tag}",
    "describe": "The boiler {tag} shows an error and gives no hot water since Sunday.",
    "reach you": "sam.{tag}@example.com",
    "how urgent": "high",
    "shall i open it": "yes",
}
OPENING = "I want to open a case"
#: (share of all turns answered, process) in the order the kills come
KILLS = ((0.15, "gateway_b"), (0.35, "actions_b"), (0.55, "rasa_b"))
#: each channel's customer and the reader of its stand-in's record, in the order they alternate
CHANNELS: dict[str, tuple[type[Customer], type[GraphLog]]] = {
    "whatsapp": (Customer, GraphLog),
    "twilio": (TwilioCustomer, TwilioLog),
}
QUEUES_LIVE = tuple(f"casebot:{{{channel}-queue}}:live" for channel in CHANNELS)


def letters() -> str:
    # letters only: digits in a title could read as a reference or a phone number
    return uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))


def normalise(text: str, customer: Customer, tag: str) -> str:
    """A reply with what belongs to one conversation taken out, to compare it with another's."""
    text = text.replace(tag, "<tag>").replace(customer.number, "<number>")
    return REF.sub("<ref>", text)


@dataclass(frozen=True)
class Script:
    """What one customer says, and the messages an undisturbed fleet answers each with."""

    #: message templates, ``{tag}`` standing for the conversation's own word
    messages: tuple[str, ...]
    #: how many messages answer each of them
    counts: tuple[int, ...]
    #: every message the customer gets, normalised, in order
    replies: tuple[str, ...]


async def learn_script(customer: Customer, settle: float = 3.0) -> Script:
    """Walk the case form once, answering whatever is asked, and record it as the script."""
    tag = letters()
    messages: list[str] = [OPENING]
    counts: list[int] = []
    await customer.send(OPENING)
    for _ in range(12):
        before = sum(counts)
        received = await customer.quiet(settle)
        counts.append(len(received) - before)
        answer = "\n".join(received[before:]).lower()
        if REF.search(answer):
            replies = tuple(normalise(text, customer, tag) for text in received)
            return Script(tuple(messages), tuple(counts), replies)
        asked = max(ANSWERS, key=lambda cue: answer.rfind(cue))
        if asked not in answer:
            raise AssertionError(f"unexpected question: {answer}")
        messages.append(ANSWERS[asked])
        await customer.send(ANSWERS[asked].format(tag=tag))
    raise AssertionError(f"the case form went nowhere: {customer.received()}")


@dataclass
class Turn:
    sent: float
    #: when the turn's last reply was sent (the Graph stand-in's clock); None: never
    done: float | None = None


@dataclass
class Conversation:
    customer: Customer
    tag: str
    channel: str
    turns: list[Turn] = field(default_factory=list)


@dataclass
class Kill:
    process: str
    at: float
    #: turns sent and not yet answered when it came
    in_flight: tuple[Turn, ...]
    #: requests the process was in the middle of, which its proxy saw dropped (Rasa and
    #: the action servers have one; a gateway's are counted by nobody but itself)
    dropped: int | None = None

    @property
    def recovered(self) -> float | None:
        """Seconds from the kill until every turn then in flight was answered."""
        if any(turn.done is None for turn in self.in_flight):
            return None
        return max((turn.done or self.at for turn in self.in_flight), default=self.at) - self.at


@dataclass
class Run:
    #: each channel's script
    scripts: dict[str, Script]
    conversations: list[Conversation] = field(default_factory=list)
    kills: list[Kill] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    def turns(self) -> list[Turn]:
        return [turn for c in self.conversations for turn in c.turns]


async def _talk(conversation: Conversation, script: Script, turn_timeout: float) -> None:
    customer, expected = conversation.customer, 0
    for template, count in zip(script.messages, script.counts, strict=True):
        turn = Turn(time.time())
        conversation.turns.append(turn)
        await customer.send(template.format(tag=conversation.tag))
        expected += count
        turn.done = await customer.until(expected, turn_timeout)
        if turn.done is None:
            return


def _proxy(fleet: Fleet, process: str) -> RoundRobin | None:
    """The proxy in front of ``process``; gateways have none (Meta calls both)."""
    return {"rasa": fleet.rasa_proxy, "actions": fleet.actions_proxy}.get(process.split("_")[0])


async def _kill_on_schedule(fleet: Fleet, run: Run, total_turns: int) -> None:
    for share, process in KILLS:
        while sum(1 for t in run.turns() if t.done is not None) < share * total_turns:
            await asyncio.sleep(0.05)
        proxy, target = _proxy(fleet, process), fleet.url(process)
        # a process behind a proxy dies while it works on requests, when it gets some soon
        # (two: one alone may end in the instant between the look and the kill)
        deadline = time.monotonic() + 10
        while proxy is not None and proxy.busy[target] < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        in_flight = tuple(t for t in run.turns() if t.done is None)
        # at once, not from a thread: the request under way may be over in milliseconds
        at = fleet.kill(process)
        run.kills.append(Kill(process, at, in_flight))


async def _queue_drained(fleet: Fleet, timeout: float) -> None:
    """Until no job is left in the gateways' queues (a turn tried again may still be sending)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        int(fleet.redis.cli("ZCARD", queue) or 0) for queue in QUEUES_LIVE
    ):
        await asyncio.sleep(0.5)


async def run(
    fleet: Fleet,
    conversations: int,
    concurrency: int,
    turn_timeout: float = 120,
    settle: float = 5.0,
) -> Run:
    """Learn each channel's script, then drive ``conversations`` customers through theirs
    under the kills."""
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        logs = {channel: log(http, fleet.sandbox) for channel, (_, log) in CHANNELS.items()}
        polling = [asyncio.create_task(log.run()) for log in logs.values()]
        gateways = [fleet.url(name) for name in GATEWAYS]

        def customer(channel: str) -> Customer:
            return CHANNELS[channel][0](http, gateways, logs[channel])

        try:
            learnt = await asyncio.gather(*(learn_script(customer(c)) for c in CHANNELS))
            result = Run(dict(zip(CHANNELS, learnt, strict=True)), started=time.time())
            slots = asyncio.Semaphore(concurrency)
            # every other conversation on each channel, so both are under way at each kill
            channels = [list(CHANNELS)[n % len(CHANNELS)] for n in range(conversations)]

            async def one(channel: str) -> None:
                async with slots:
                    talking = Conversation(customer(channel), letters(), channel)
                    result.conversations.append(talking)
                    await _talk(talking, result.scripts[channel], turn_timeout)

            total = sum(len(result.scripts[channel].messages) for channel in channels)
            killing = asyncio.create_task(_kill_on_schedule(fleet, result, total))
            await asyncio.gather(*(one(channel) for channel in channels))
            if not killing.done():
                killing.cancel()
            await asyncio.gather(killing, return_exceptions=True)
            result.ended = time.time()
            for kill in result.kills:
                proxy = _proxy(fleet, kill.process)
                if proxy is not None:
                    kill.dropped = proxy.dropped.count(fleet.url(kill.process))
            await _queue_drained(fleet, timeout=60)
            # a reply sent twice may come after the customer saw the first
            await asyncio.sleep(settle)
            for log in logs.values():
                await log.read()
        finally:
            for task in polling:
                task.cancel()
            await asyncio.gather(*polling, return_exceptions=True)
    return result


@dataclass
class Tally:
    """What the stand-ins recorded, conversation by conversation."""

    conversations: int = 0
    cases_once: int = 0
    cases_lost: list[str] = field(default_factory=list)
    cases_doubled: list[str] = field(default_factory=list)
    #: the reference a customer was told is not the one of their case
    wrong_reference: list[str] = field(default_factory=list)
    replies_expected: int = 0
    replies_lost: int = 0
    replies_doubled: int = 0
    #: conversations whose replies differ from the script's: channel:number -> the replies that came
    #: more or fewer times than they should
    differing: dict[str, list[str]] = field(default_factory=dict)

    @property
    def replies_once(self) -> int:
        return self.replies_expected - self.replies_lost


def tally(fleet: Fleet, result: Run) -> Tally:
    """Read the Connect Cases and Graph stand-ins and count what came once, never, twice."""
    cases = boto3.client(
        "connectcases",
        endpoint_url=f"{fleet.sandbox}/connectcases",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )
    counted = Tally(conversations=len(result.conversations))
    for conversation in result.conversations:
        customer, tag = conversation.customer, conversation.tag
        script = result.scripts[conversation.channel].replies
        expected = Counter(script)
        received = [normalise(text, customer, tag) for text in customer.received()]
        got = Counter(received)
        counted.replies_expected += len(script)
        counted.replies_lost += sum((expected - got).values())
        counted.replies_doubled += sum((got - expected).values())
        if tuple(received) != script:
            counted.differing[f"{conversation.channel}:{customer.number}"] = [
                f"{got[text]}x (of {expected[text]}) {text[:60]!r}"
                for text in dict.fromkeys([*script, *received])
                if got[text] != expected[text]
            ] or ["in another order"]

        title = ANSWERS["what is it about"].format(tag=tag)
        found = cases.search_cases(
            domainId=DOMAIN_ID,
            filter={"field": {"equalTo": {"id": "title", "value": {"stringValue": title}}}},
            fields=[{"id": "reference_number"}],
        )["cases"]
        if not found:
            counted.cases_lost.append(title)
        elif len(found) > 1:
            counted.cases_doubled.append(title)
        else:
            counted.cases_once += 1
            reference = found[0]["fields"][0]["value"].get("stringValue", "")
            told = [text for text in customer.received() if reference in text]
            if len(told) != 1:
                counted.wrong_reference.append(title)
    return counted


def percentile(values: list[float], share: float) -> float:
    """The ``share`` (0-1) percentile, nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


@dataclass(frozen=True)
class Latency:
    """Turn latency (seconds from the webhook to the turn's last reply) of turns sent in a span."""

    span: str
    turns: int
    p50: float
    p99: float
    #: turns of the span never answered
    unanswered: int


def latencies(result: Run) -> list[Latency]:
    """Turns answered before the first kill, turns sent once every turn the last kill caught
    was answered, and the turns between, caught up in the kills."""
    first = result.kills[0].at if result.kills else result.ended
    last = result.kills[-1] if result.kills else None
    recovered = result.ended if last is None else last.at + (last.recovered or float("inf"))
    spans: dict[str, list[Turn]] = {"before the kills": [], "during": [], "after recovery": []}
    for turn in result.turns():
        if turn.done is not None and turn.done < first:
            spans["before the kills"].append(turn)
        elif turn.sent > recovered:
            spans["after recovery"].append(turn)
        else:
            spans["during"].append(turn)
    found = []
    for name, turns in spans.items():
        took = [t.done - t.sent for t in turns if t.done is not None]
        unanswered = sum(1 for t in turns if t.done is None)
        found.append(
            Latency(name, len(turns), percentile(took, 0.5), percentile(took, 0.99), unanswered)
        )
    return found


def channel_counts(result: Run) -> str:
    """How many conversations of how many turns each channel had, in words."""
    had = Counter(conversation.channel for conversation in result.conversations)
    return ", ".join(
        f"{had[channel]} on {channel} of {len(script.messages)} turns"
        for channel, script in result.scripts.items()
    )


def summary(result: Run, counted: Tally) -> str:
    """The figures of one run, as lines of text."""
    lines = [
        f"{counted.conversations} conversations ({channel_counts(result)}), "
        f"{result.ended - result.started:.0f} s",
        f"cases: {counted.cases_once} filed once, {len(counted.cases_lost)} lost, "
        f"{len(counted.cases_doubled)} doubled, {len(counted.wrong_reference)} told wrongly",
        f"replies: {counted.replies_once} of {counted.replies_expected} delivered once, "
        f"{counted.replies_lost} lost, {counted.replies_doubled} doubled",
    ]
    for kill in result.kills:
        recovered = kill.recovered
        lines.append(
            f"{kill.process} killed at +{kill.at - result.started:.1f} s with "
            f"{len(kill.in_flight)} turns under way"
            + ("" if kill.dropped is None else f", {kill.dropped} of its requests dropped")
            + "; "
            + (
                f"all answered {recovered:.1f} s later"
                if recovered is not None
                else "some never answered"
            )
        )
    for span in latencies(result):
        lines.append(
            f"turns {span.span}: {span.turns}, p50 {span.p50:.2f} s, p99 {span.p99:.2f} s, "
            f"{span.unanswered} unanswered"
        )
    return "\n".join(lines)
