"""Scale-out: new conversations per second held with p95 turn latency under 1 s, 1 Rasa vs 2.

    .venv/bin/python -m bench.scale [--rates 1,2,3,4,5,6,8,10] [--seconds 25]

One rig serves both runs: real Redis (Rasa's lock store) and PostgreSQL (Rasa's tracker
store), the sandbox, one action server (it uses under a tenth of a core at the rates reached,
so one is enough), two Rasa processes with ``deploy/endpoints.yml`` and the same model, and
one gateway whose ``RASA_URL`` is a round-robin proxy over the Rasa processes: over the first
alone in the 1-Rasa run, over both in the 2-Rasa run, so both runs pay the same hop. The rig is
``bench/scale_rig.py``.

New conversations (``FORM_CONVERSATION``, its turns sent one after another through
``POST /webchat/messages``, each as soon as the previous one is answered) arrive open-loop at
each rate for ``--seconds``: Poisson arrivals given their number, with a fixed seed, so both
runs see the very same arrival times. Stepping stops after the first step whose p95 is over
1 s or that has errors (a non-200 answer, no answer in time, or an empty reply). Per step: the
offered rate, turns completed per second, p50/p95 of the turns sent during the step, errors,
and the CPU each process used during the step (% of one core; the machine has
``os.cpu_count()`` of them), "other" being what the rest of the machine used meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import FORM_CONVERSATION, emit, percentile, ratio, table
from bench.scale_rig import CPU_NAMES, RASA, Rig, rig

P95_LIMIT_S = 1.0
#: how long a turn may take before it counts as an error (the gateway gives Rasa 30 s)
TURN_TIMEOUT_S = 45.0


@dataclass
class Turn:
    sent: float
    done: float
    ok: bool


@dataclass
class Load:
    """Every turn sent so far, and the send times of those still unanswered."""

    http: httpx.AsyncClient
    url: str
    turns: list[Turn] = field(default_factory=list)
    pending: dict[int, float] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _keys: Iterator[int] = field(default_factory=itertools.count)

    async def conversation(self) -> None:
        """One user through the whole script; a failed turn ends it, as it would a user."""
        sender = uuid.uuid4().hex
        for text in FORM_CONVERSATION:
            sent = time.monotonic()
            key = next(self._keys)
            self.pending[key] = sent
            try:
                response = await self.http.post(self.url, json={"sender": sender, "message": text})
                ok = response.status_code == 200 and bool(response.json())
            except (httpx.HTTPError, ValueError):
                ok = False
            finally:
                del self.pending[key]
            self.turns.append(Turn(sent, time.monotonic(), ok))
            if not ok:
                return

    def start(self) -> None:
        task = asyncio.create_task(self.conversation())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def answered_until(self, moment: float, timeout: float = TURN_TIMEOUT_S) -> None:
        """Wait until every turn sent before ``moment`` has its answer."""
        deadline = time.monotonic() + timeout
        while any(sent < moment for sent in self.pending.values()):
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.05)

    async def drain(self, timeout: float) -> None:
        """Let the conversations under way finish, and cancel those that take longer."""
        if self.tasks:
            _, late = await asyncio.wait(set(self.tasks), timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)


@dataclass
class Step:
    rasa: int
    rate: float
    seconds: float
    latencies: list[float]
    completed: int
    errors: int
    #: CPU seconds used during the step, by process name, plus "machine"
    cpu: dict[str, float]

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)

    @property
    def held(self) -> bool:
        return self.errors == 0 and bool(self.latencies) and self.p95 <= P95_LIMIT_S

    def share(self, name: str) -> float:
        """CPU used by ``name`` as a percentage of one core."""
        return 100 * self.cpu.get(name, 0.0) / self.seconds

    @property
    def other(self) -> float:
        """What the rest of the machine used, as a percentage of one core."""
        ours = sum(self.cpu[name] for name in CPU_NAMES)
        return max(0.0, 100 * (self.cpu["machine"] - ours) / self.seconds)

    def busiest(self) -> str:
        """The three busiest processes and the machine's load over the step."""
        ranked = sorted(CPU_NAMES, key=self.share, reverse=True)[:3]
        shares = ", ".join(f"{name} {self.share(name):.0f}%" for name in ranked)
        machine = f"machine {self.machine:.0f}% busy (other work {self.other:.0f}%)"
        return f"{shares} of a core; {machine}"

    @property
    def machine(self) -> float:
        """How busy all the machine's cores were, in percent."""
        return self.share("machine") / (os.cpu_count() or 1)

    def limit(self) -> str:
        """What the CPU figures say held the step back."""
        reasons = []
        top = max(CPU_NAMES, key=self.share)
        if self.share(top) >= 75:
            reasons.append(f"{top} near a full core ({self.share(top):.0f}%)")
        if self.machine >= 85:
            reasons.append(f"the machine's cores nearly full ({self.machine:.0f}%)")
        return "; ".join(reasons) or "no CPU saturated"


def arrivals(rate: float, seconds: float, seed: int) -> list[float]:
    """``rate * seconds`` arrival times in ``[0, seconds)``, the same for the same arguments.

    Uniform and independent, then sorted: a Poisson process's arrivals given their number, so
    they come in bursts and lulls as users do, yet each step offers exactly its nominal rate.
    """
    chance = random.Random(seed)
    return sorted(chance.uniform(0, seconds) for _ in range(round(rate * seconds)))


async def run_steps(rig: Rig, count: int, rates: list[float], seconds: float) -> list[Step]:
    """Step the arrival rate up until p95 passes the limit or errors appear."""
    rig.proxy.route([rig.rasa_urls[name] for name in RASA[:count]])
    steps: list[Step] = []
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT_S, limits=limits) as http:
        load = Load(http, f"{rig.gateway}/webchat/messages")
        for index, rate in enumerate(rates):
            before = rig.cpu()
            start = time.monotonic()
            for at in arrivals(rate, seconds, seed=index):
                await asyncio.sleep(max(0.0, start + at - time.monotonic()))
                load.start()
            await asyncio.sleep(max(0.0, start + seconds - time.monotonic()))
            end = time.monotonic()
            after = rig.cpu()
            await load.answered_until(end)
            sent = [turn for turn in load.turns if start <= turn.sent < end]
            step = Step(
                rasa=count,
                rate=rate,
                seconds=end - start,
                latencies=[turn.done - turn.sent for turn in sent if turn.ok],
                completed=sum(1 for t in load.turns if t.ok and start <= t.done < end),
                errors=sum(1 for turn in sent if not turn.ok),
                cpu={name: after[name] - before[name] for name in after},
            )
            steps.append(step)
            print(
                f"    {count} Rasa, {rate:g} conv/s: p95 {step.p95 * 1000:.0f} ms, "
                f"{step.errors} errors; {step.busiest()}",
                flush=True,
            )
            if not step.held:
                break
        await load.drain(timeout=20)
    await quiet(rig)
    return steps


async def quiet(rig: Rig, timeout: float = 30) -> None:
    """Wait until the Rasa processes have worked off what an overloaded step left queued."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = rig.cpu()
        await asyncio.sleep(1)
        after = rig.cpu()
        if all(after[name] - before[name] < 0.1 for name in RASA):
            return


async def warm_up(rig: Rig) -> None:
    """A few untimed conversations through both Rasa processes: first predictions are slow."""
    rig.proxy.route(list(rig.rasa_urls.values()))
    async with httpx.AsyncClient(timeout=120) as http:
        load = Load(http, f"{rig.gateway}/webchat/messages")
        await asyncio.gather(*(load.conversation() for _ in range(4)))
    if not all(turn.ok for turn in load.turns):
        raise RuntimeError("the warm-up conversations failed: see the processes' logs")


def held_rate(steps: list[Step]) -> tuple[float, str]:
    """The highest rate held, as a number and as text (">=" when no step failed)."""
    good = [step.rate for step in steps if step.held]
    best = max(good, default=0.0)
    if steps and steps[-1].held:
        return best, f">= {best:g}"
    return best, f"{best:g}"


def step_row(step: Step) -> list[object]:
    turns_offered = step.rate * len(FORM_CONVERSATION)
    return [
        step.rasa,
        f"{step.rate:g}",
        f"{turns_offered:.1f}",
        f"{step.completed / step.seconds:.1f}",
        f"{percentile(step.latencies, 0.5) * 1000:.0f}",
        f"{step.p95 * 1000:.0f}",
        step.errors,
        *(f"{step.share(name):.0f}" for name in CPU_NAMES),
        f"{step.other:.0f}",
        f"{step.machine:.0f}",
    ]


def report(runs: dict[int, list[Step]], seconds: float) -> None:
    turns = len(FORM_CONVERSATION)
    header = [
        "Rasa",
        "conv/s offered",
        "turns/s offered",
        "turns/s done",
        "p50 ms",
        "p95 ms",
        "errors",
        *(f"{name} %" for name in CPU_NAMES),
        "other %",
        "machine busy %",
    ]
    rows = [step_row(step) for steps in runs.values() for step in steps]
    cores = os.cpu_count() or 1
    emit(
        table(
            f"Scale-out: open-loop {turns}-turn form conversations through the gateway and a "
            f"round-robin proxy, PostgreSQL tracker store, Redis lock store; {seconds:g} s "
            f"steps ({cores} cores; CPU in % of one core over each step; 'load' is the load "
            "generator, 'other' the rest of the machine)",
            header,
            rows,
        )
    )
    summary: list[list[object]] = []
    best = {}
    for count, steps in runs.items():
        best[count], text = held_rate(steps)
        last = steps[-1] if steps else None
        verdict = "not reached" if last is None or last.held else last.limit()
        where = f"{last.rate:g} conv/s: {last.busiest()}" if last else ""
        summary.append([f"{count} Rasa", text, f"{best[count] * turns:g}", verdict, where])
    first, second = best.get(1, 0.0), best.get(2, 0.0)
    precision = "to the step: the rates between steps were not tried"
    summary.append(["2 / 1", ratio(second, first), "", "", precision])
    emit(
        table(
            f"Scale-out: highest arrival rate held with p95 turn latency <= "
            f"{P95_LIMIT_S * 1000:.0f} ms and no errors",
            ["run", "conv/s held", "turns/s", "limit", "last step: busiest processes"],
            summary,
        )
    )


async def measure(rig: Rig, rates: list[float], seconds: float) -> dict[int, list[Step]]:
    await warm_up(rig)
    await quiet(rig, timeout=10)
    runs = {}
    for count in (1, 2):
        print(f"  {count} Rasa process{'es' if count > 1 else ''}", flush=True)
        runs[count] = await run_steps(rig, count, rates, seconds)
    return runs


def main() -> None:
    """Start the rig, step the load for 1 and then 2 Rasa processes, print and record."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="1,2,3,4,5,6,8,10", help="conversations/s per step")
    parser.add_argument("--seconds", type=float, default=25, help="length of each step")
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="casebot-scale-") as tmp:
        with rig(Path(tmp)) as running:
            print(f"  up in {time.monotonic() - started:.0f} s", flush=True)
            runs = asyncio.run(measure(running, rates, args.seconds))
    report(runs, args.seconds)
    print(f"  {time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
