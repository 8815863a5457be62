"""casebot's own NLU components (bot/components/), run by the Rasa environment's Python."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from typing import Any

import pytest

from bot.components.message_shape import BINS
from tests.support.stack import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
WORDS_BINS = len(BINS)


@cache
def run() -> dict[str, Any]:
    if not RASA_PYTHON.exists():
        pytest.fail("the Rasa environment is missing: make setup creates it")
    done = subprocess.run(
        [str(RASA_PYTHON), str(ROOT / "tests" / "support" / "nlu_components_run.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def one_hot(index: int) -> list[float]:
    return [1.0 if i == index else 0.0 for i in range(WORDS_BINS)]


def test_a_bare_value_and_a_question_about_it_have_different_shapes() -> None:
    shapes = run()["shapes"]

    # words in all, words outside the value, whether there is a value, first word "what"
    # (the only word that starts two training examples)
    assert shapes["C-1001"] == [*one_hot(1), *one_hot(0), 1.0, 0.0]
    assert shapes["case C-2002"] == [*one_hot(2), *one_hot(1), 1.0, 0.0]
    assert shapes["the status of C-5005 please"] == [*one_hot(4), *one_hot(4), 1.0, 0.0]
    assert shapes["What about C-5005"] == [*one_hot(3), *one_hot(2), 1.0, 1.0]
    assert shapes["hi"] == [*one_hot(1), *([0.0] * WORDS_BINS), 0.0, 0.0]


def test_classifier_loaded_from_the_model_ranks_intents_as_the_one_that_was_trained() -> None:
    result = run()

    assert result["idf_features"] > 0
    for before, after in zip(result["before"], result["after"], strict=True):
        assert after.keys() == before.keys()
        for intent, confidence in before.items():
            assert after[intent] == pytest.approx(confidence, abs=1e-9)


def test_classifier_tells_a_bare_reference_from_a_question_about_one() -> None:
    result = run()
    top = [max(ranking, key=ranking.get) for ranking in result["after"]]

    assert dict(zip(result["probes"], top, strict=True)) == {
        "ticket C-7007": "inform",
        "what is happening with case C-8008 these days": "check_case_status",
        "hello there": "greet",
    }
    for ranking in result["after"]:
        assert sum(ranking.values()) == pytest.approx(1.0)


def test_sentence_features_are_put_together_as_rasa_puts_them() -> None:
    result = run()

    # 3 probes and 14 examples; word and character counts plus 18 shape features
    assert result["sentence_matrix_shape"][0] == 17
    assert result["sentence_matrix_shape"][1] > 18
    assert result["sentence_matrix_as_rasas"] is True


def test_features_are_weighed_as_scikit_learns_sublinear_tf_idf() -> None:
    result = run()

    assert result["weighted_as_sklearn"] is True
    assert result["weighted_row_lengths"] == [1.0] * 17
