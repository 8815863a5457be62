"""The confidence that counts as a confident way out of a form (``FORM_EXIT_CONFIDENCE``).

    .venv/bin/python -m bench.form_exit       (5-fold cross-validation, about 3 minutes)

Inside the case or comment form a message read as a way out (a person, cancel, another
request) below the threshold is taken as the answer to the question asked. From one 5-fold
cross-validation of the NLU data, for each threshold: the share of real ways out still read as
such (the rest are taken as answers, and the form asks again), and the share of other messages
misread as a way out that are taken as answers instead (the rest would end the form).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from actions.kit.answers import WAYS_OUT
from bench.common import emit, table
from bench.nlu import ROOT, rasa
from bench.nlu_data import NLU_DIR

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def measure(out: Path) -> list[list[object]]:
    """One table row per threshold, from a cross-validation written to ``out``."""
    rasa(
        "test", "nlu", "--nlu", str(NLU_DIR), "--config", str(ROOT / "bot" / "config.yml"),
        "--cross-validation", "--folds", "5", "--successes", "--out", str(out), "--no-plot",
        log=out / "rasa.log",
    )  # fmt: skip
    rows = json.loads((out / "intent_successes.json").read_text()) + json.loads(
        (out / "intent_errors.json").read_text()
    )
    real = [
        r["intent_prediction"]["confidence"]
        for r in rows
        if r["intent"] in WAYS_OUT and r["intent_prediction"]["name"] == r["intent"]
    ]
    misread = [
        r["intent_prediction"]["confidence"]
        for r in rows
        if r["intent"] not in WAYS_OUT and r["intent_prediction"]["name"] in WAYS_OUT
    ]
    return [
        [
            threshold,
            f"{sum(c >= threshold for c in real) / len(real):.3f} of {len(real)}",
            f"{sum(c < threshold for c in misread) / max(1, len(misread)):.3f} of {len(misread)}",
        ]
        for threshold in THRESHOLDS
    ]


def main() -> None:
    """Measure, print and record."""
    with tempfile.TemporaryDirectory(prefix="casebot-form-exit-") as tmp:
        rows = measure(Path(tmp))
    emit(
        table(
            "Form exits by confidence (5-fold cross-validation; FORM_EXIT_CONFIDENCE)",
            ["threshold", "real ways out still ending the form", "misread answers kept"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
