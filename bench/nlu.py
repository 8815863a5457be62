"""NLU benchmark: our light pipeline (bot/config.yml) against the stock Rasa 3.6 one.

    .venv/bin/python -m bench.nlu            5-fold cross-validation, 5 rounds of 300 messages
    .venv/bin/python -m bench.nlu --quick    2 folds, 2 rounds of 20 messages: a sanity run
    .venv/bin/python -m bench.nlu --fresh    cross-validate again though nothing changed

On the same data (bot/data/nlu) for both configurations:
- the duplication check (an example text in two intents is an error, see bench/nlu_data.py);
- intent macro and weighted F1 and entity F1, cross-validated (``rasa test nlu
  --cross-validation``), read from the reports it writes; reused from ``bench/nlu_cv.json``
  while the data, configuration and Rasa pins are unchanged (bench/nlu_cv_cache.py), since the
  stock pipeline's 5-fold run alone takes longer than the whole benchmark may;
- held-out probes: typical messages that are not training examples, with the intent and
  entities each should get, scored on a model trained on all the data;
- the Rasa server's CPU time per message: both models served at once by ``rasa run
  --enable-api`` on loopback, the same messages sent to ``/model/parse``, and the user+sys CPU
  time of each server process read from ``/proc/<pid>/stat`` around each batch. The two
  configurations alternate in rounds and the medians are reported, so the machine's other
  work weighs on both alike.
The stock configuration is what ``rasa init`` writes (bench/stock_config.yml). Figures go to
stdout, ``var/bench-nlu.md`` and ``var/bench.md``; timings are figures, never pass/fail. Rasa
runs under ``nice``, one training or test at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.common import emit
from bench.nlu_cv_cache import cached_or_computed, inputs_hash
from bench.nlu_data import NLU_DIR, duplicates, examples
from bench.nlu_probes import PROBES, Probe

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
REPORT = ROOT / "var" / "bench-nlu.md"
CONFIGS = {"ours": ROOT / "bot" / "config.yml", "stock": ROOT / "bench" / "stock_config.yml"}
#: configurations whose model is served for CPU timing only, trained for one epoch: a network's
#: shape, and so the CPU a message costs it, does not depend on how long it trained, and the
#: stock pipeline's 100 epochs take longer than the whole benchmark may. Its F1 comes from the
#: cross-validation, and it answers no probes.
TIMING_ONLY = frozenset({"stock"})
#: cross-validation runs averaged per configuration in a full run. Rasa draws the folds at
#: random and our intent F1 moves by up to a hundredth between runs; the stock pipeline's one
#: run takes close to an hour here, so it gets one
REPEATS = {"ours": 3, "stock": 1}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rasa(*args: str, log: Path) -> None:
    """Run one Rasa command under ``nice``; its output goes to ``log``."""
    with log.open("ab") as out:
        done = subprocess.run(["nice", str(RASA), *args], cwd=ROOT, stdout=out, stderr=out)
    if done.returncode:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise RuntimeError(
            f"rasa {' '.join(args[:2])} exited {done.returncode}:\n" + "\n".join(tail)
        )


def cross_validate(config: Path, folds: int, out: Path) -> dict[str, Any]:
    """Intent macro/weighted F1 and entity F1 over ``folds`` folds."""
    rasa(
        "test", "nlu", "--nlu", str(NLU_DIR), "--config", str(config),
        "--cross-validation", "--folds", str(folds), "--out", str(out),
        "--no-plot", log=out / "rasa.log",
    )  # fmt: skip
    intents = json.loads((out / "intent_report.json").read_text())
    figures: dict[str, Any] = {
        "intent macro F1": intents["macro avg"]["f1-score"],
        "intent weighted F1": intents["weighted avg"]["f1-score"],
    }
    for report in sorted(out.glob("*_report.json")):
        if report.name in ("intent_report.json", "response_selection_report.json"):
            continue
        entities = json.loads(report.read_text())
        summary = entities.get("micro avg") or entities["weighted avg"]
        figures["entity F1"] = summary["f1-score"]
        figures["entity extractor"] = report.name.removesuffix("_report.json")
    return figures


def _timed_cross_validation(config: Path, folds: int, out: Path, repeats: int) -> dict[str, Any]:
    """The mean figures of ``repeats`` cross-validations, each run's intent F1, the seconds."""
    started = time.monotonic()
    runs = []
    for run in range(repeats):
        (out / f"run-{run}").mkdir(parents=True)
        runs.append(cross_validate(config, folds, out / f"run-{run}"))
    figures = dict(runs[0])
    for name, value in runs[0].items():
        if isinstance(value, float):
            figures[name] = statistics.fmean(figures_of_run[name] for figures_of_run in runs)
    figures["runs"] = [
        [figures_of_run["intent macro F1"], figures_of_run["intent weighted F1"]]
        for figures_of_run in runs
    ]
    figures["seconds"] = time.monotonic() - started
    return figures


def one_epoch(config: Path, out: Path) -> Path:
    """``config`` with every trained component set to one epoch, written into ``out``."""
    spec = yaml.safe_load(config.read_text())
    for component in spec.get("pipeline", []):
        if "epochs" in component:
            component["epochs"] = 1
    path = out / f"{config.stem}-one-epoch.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def train(config: Path, name: str, out: Path) -> Path:
    """An NLU model of ``config`` trained on all the data."""
    rasa(
        "train", "nlu", "--config", str(config), "--nlu", str(NLU_DIR),
        "--out", str(out), "--fixed-model-name", name, log=out / f"train-{name}.log",
    )  # fmt: skip
    return out / f"{name}.tar.gz"


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``rasa run --enable-api`` serving one model on a free loopback port."""

    def __init__(self, model: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [
                "nice",
                str(RASA),
                "run",
                "--enable-api",
                "--model",
                str(model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],  # fmt: skip
            cwd=ROOT,
            stdout=self._log,
            stderr=self._log,
        )
        # nice execs rasa in the same process, so the pid is the server's
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def wait_ready(self, timeout: float = 300) -> None:
        """Block until the model is loaded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rasa exited with {self.process.returncode}; see its log")
            try:
                if self.client.get("/status").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(1)
        raise TimeoutError(f"rasa on {self.url} not ready in {timeout:.0f} s")

    def parse(self, text: str) -> dict[str, object]:
        """Rasa's parse of ``text``."""
        response = self.client.post("/model/parse", json={"text": text})
        response.raise_for_status()
        parsed: dict[str, object] = response.json()
        return parsed

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def stop(self) -> None:
        """Stop the server and wait for it."""
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


@contextmanager
def serving(models: dict[str, Path], logs: Path) -> Iterator[dict[str, Server]]:
    """One server per model, all ready."""
    servers: dict[str, Server] = {}
    try:
        for name, model in models.items():
            # one at a time: two models loading at once would slow each other down
            servers[name] = Server(model, logs / f"server-{name}.log")
            servers[name].wait_ready()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def score_probes(server: Server, probes: Sequence[Probe]) -> tuple[int, int, list[str]]:
    """Probes whose intent was right, whose entities were right, and the misses in words."""
    intents_right = entities_right = 0
    misses: list[str] = []
    for probe in probes:
        parsed = server.parse(probe.text)
        intent = str(parsed["intent"]["name"])  # type: ignore[index]
        found = {(str(e["entity"]), str(e["value"])) for e in parsed["entities"]}  # type: ignore[attr-defined]
        intents_right += intent == probe.intent
        entities_right += found == set(probe.entities)
        if intent != probe.intent or found != set(probe.entities):
            misses.append(f"{probe.text!r}: {intent} {sorted(found)}")
    return intents_right, entities_right, misses


def cpu_per_message(
    servers: dict[str, Server], messages: Sequence[str], rounds: int
) -> dict[str, list[float]]:
    """Milliseconds of server CPU per message, one figure per round, configurations alternating."""
    for server in servers.values():
        for text in messages[:5]:  # warm-up: first calls build caches
            server.parse(text)
    samples: dict[str, list[float]] = {name: [] for name in servers}
    for round_no in range(rounds):
        order = list(servers) if round_no % 2 == 0 else list(reversed(servers))
        for name in order:
            server = servers[name]
            before = server.cpu_seconds()
            for text in messages:
                server.parse(text)
            samples[name].append((server.cpu_seconds() - before) * 1000 / len(messages))
    return samples


def run(quick: bool, fresh: bool = False) -> tuple[list[str], int]:
    """All the figures as markdown lines, and the exit code (1 when the data has a clash)."""
    folds, rounds, count = (2, 2, 20) if quick else (5, 5, 300)
    lines = [
        f"# NLU: bot/config.yml (ours) vs rasa init's pipeline (stock)\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, this machine, "
        f"{'quick' if quick else 'full'} run; figures, not pass/fail.\n"
    ]
    by_intent = examples()
    clashes = duplicates(by_intent)
    lines.append(
        f"Data: {sum(map(len, by_intent.values()))} examples in {len(by_intent)} intents "
        f"(fewest: {min(map(len, by_intent.values()))}); "
        f"{len(clashes)} example(s) in two intents.\n"
    )
    lines += [f"- ERROR: {text!r} is in {', '.join(names)}" for text, names in clashes.items()]
    with tempfile.TemporaryDirectory(prefix="casebot-bench-nlu-") as tmp:
        work = Path(tmp)
        cv = {}
        for name, config in CONFIGS.items():
            repeats = 1 if quick else REPEATS[name]
            cv[name], cached = cached_or_computed(
                f"{name}/{folds}-fold",
                inputs_hash(config, NLU_DIR, folds) + (f"x{repeats}" if repeats > 1 else ""),
                partial(_timed_cross_validation, config, folds, work / f"cv-{name}", repeats),
                fresh=fresh,
            )
            how = f"reused from {cv[name]['measured_at']}" if cached else "computed"
            print(f"cross-validated {name}: {how}, {cv[name]['seconds']:.0f} s", flush=True)
        models = {
            name: train(one_epoch(config, work) if name in TIMING_ONLY else config, name, work)
            for name, config in CONFIGS.items()
        }
        # the probes over and over: a round long enough that the CPU clock's ticks do not show
        messages = [PROBES[i % len(PROBES)].text for i in range(count)]
        with serving(models, work) as servers:
            probes = {
                name: score_probes(server, PROBES)
                for name, server in servers.items()
                if name not in TIMING_ONLY
            }
            cpu = cpu_per_message(servers, messages, rounds)
    lines += _tables(cv, probes, cpu, folds, rounds, len(messages))
    return lines, 1 if clashes else 0


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _probe(probes: dict[str, tuple[int, int, list[str]]], name: str, index: int) -> str:
    return str(probes[name][index]) if name in probes else "n/a (timing model)"


def _runs(figures: dict[str, Any]) -> str:
    """How many cross-validations, and each one's intent macro / weighted F1."""
    runs = figures.get("runs") or [[figures["intent macro F1"], figures["intent weighted F1"]]]
    each = ", ".join(f"{macro:.3f} / {weighted:.3f}" for macro, weighted in runs)
    return f"{len(runs)}: {each}"


def _tables(
    cv: dict[str, dict[str, Any]],
    probes: dict[str, tuple[int, int, list[str]]],
    cpu: dict[str, list[float]],
    folds: int,
    rounds: int,
    count: int,
) -> list[str]:
    ours, stock = _median(cpu["ours"]), _median(cpu["stock"])
    rows = [
        ("intent macro F1", *(f"{cv[n]['intent macro F1']:.3f}" for n in CONFIGS)),
        ("intent weighted F1", *(f"{cv[n]['intent weighted F1']:.3f}" for n in CONFIGS)),
        ("entity F1", *(f"{cv[n].get('entity F1', 0):.3f}" for n in CONFIGS)),
        ("entity extractor", *(str(cv[n].get("entity extractor", "-")) for n in CONFIGS)),
        ("cross-validation runs (mean above)", *(_runs(cv[n]) for n in CONFIGS)),
        ("cross-validation wall time (s)", *(f"{cv[n]['seconds']:.0f}" for n in CONFIGS)),
        ("cross-validation measured", *(str(cv[n]["measured_at"]) for n in CONFIGS)),
        (f"probe intents right (of {len(PROBES)})", *(_probe(probes, n, 0) for n in CONFIGS)),
        (f"probe entities right (of {len(PROBES)})", *(_probe(probes, n, 1) for n in CONFIGS)),
        ("server CPU ms/message (median)", f"{ours:.2f}", f"{stock:.2f}"),
        ("server CPU ms/message (rounds)", *(" ".join(f"{v:.2f}" for v in cpu[n])
                                             for n in CONFIGS)),
    ]  # fmt: skip
    lines = [
        f"{folds}-fold cross-validation; CPU over {rounds} rounds of {count} messages.\n",
        "| figure | ours | stock |",
        "|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        f"CPU per message, ours / stock: {ours / stock:.2f} (target: at most 0.50)."
        if stock
        else "CPU per message: stock used no measurable CPU.",
        f"Intent F1, ours: macro {cv['ours']['intent macro F1']:.3f}, weighted "
        f"{cv['ours']['intent weighted F1']:.3f} (target: at least 0.95).",
        *(
            f"The {name} model served for CPU timing was trained for one epoch; its F1 is "
            "from the cross-validation, which trains every fold in full."
            for name in sorted(TIMING_ONLY)
        ),
        "",
    ]
    for name in CONFIGS:
        if name not in probes:
            continue
        misses = probes[name][2]
        lines.append(f"Probe misses, {name}: {len(misses)}")
        lines += [f"- {miss}" for miss in misses]
        lines.append("")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the figures and write them to ``var/bench-nlu.md``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 folds, fewer messages")
    parser.add_argument(
        "--fresh", action="store_true", help="cross-validate again even if nothing changed"
    )
    args = parser.parse_args(argv)
    lines, code = run(args.quick, args.fresh)
    text = "\n".join(lines) + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    # the same figures, one heading down, in the report every benchmark adds to
    emit("### " + text.removeprefix("# "))
    print(f"wrote {REPORT}")
    return code


if __name__ == "__main__":
    sys.exit(main())
