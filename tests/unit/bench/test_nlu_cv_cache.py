"""Cross-validation figures are reused only while everything they depend on is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from bench.nlu_cv_cache import cached_or_computed, inputs_hash

ROOT = Path(__file__).resolve().parents[3]


class Counting:
    """A stand-in for a cross-validation run that says how often it ran."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> dict[str, object]:
        self.runs += 1
        return {"intent macro F1": 0.5 + self.runs / 100, "seconds": 3.0}


def test_figures_are_computed_once_then_reused_under_the_same_key(tmp_path: Path) -> None:
    cache = tmp_path / "cv.json"
    compute = Counting()

    first, first_cached = cached_or_computed("stock/5-fold", "k1", compute, cache=cache)
    again, again_cached = cached_or_computed("stock/5-fold", "k1", compute, cache=cache)

    assert compute.runs == 1
    assert (first_cached, again_cached) == (False, True)
    assert again["intent macro F1"] == first["intent macro F1"] == 0.51
    assert again["measured_at"] == first["measured_at"]
    assert json.loads(cache.read_text())["stock/5-fold"]["key"] == "k1"


def test_a_new_key_or_fresh_computes_again_and_other_entries_stay(tmp_path: Path) -> None:
    cache = tmp_path / "cv.json"
    compute = Counting()
    cached_or_computed("ours/5-fold", "a", compute, cache=cache)
    cached_or_computed("stock/5-fold", "s", compute, cache=cache)

    changed, changed_cached = cached_or_computed("ours/5-fold", "b", compute, cache=cache)
    forced, forced_cached = cached_or_computed("ours/5-fold", "b", compute, fresh=True, cache=cache)
    kept, kept_cached = cached_or_computed("stock/5-fold", "s", compute, cache=cache)

    assert compute.runs == 4
    assert (changed_cached, forced_cached, kept_cached) == (False, False, True)
    assert (changed["intent macro F1"], forced["intent macro F1"]) == (0.53, 0.54)
    assert kept["intent macro F1"] == 0.52


def test_hash_follows_the_data_the_configuration_and_the_folds(tmp_path: Path) -> None:
    data = tmp_path / "nlu"
    data.mkdir()
    (data / "a.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - hi\n")
    config = tmp_path / "config.yml"
    config.write_text("pipeline: []\n")
    base = inputs_hash(config, data, 5)

    assert inputs_hash(config, data, 5) == base
    assert inputs_hash(config, data, 2) != base
    (data / "a.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - hello\n")
    edited = inputs_hash(config, data, 5)
    assert edited != base
    config.write_text("pipeline: [{name: WhitespaceTokenizer}]\n")
    assert inputs_hash(config, data, 5) != edited


def test_hash_follows_our_components_code_only_where_the_configuration_names_one(
    tmp_path: Path,
) -> None:
    data = tmp_path / "nlu"
    data.mkdir()
    (data / "a.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - hi\n")
    components = tmp_path / "components"
    components.mkdir()
    (components / "shape.py").write_text("BINS = (0, 1)\n")
    ours = tmp_path / "ours.yml"
    ours.write_text("pipeline: [{name: bot.components.shape.Shape}]\n")
    stock = tmp_path / "stock.yml"
    stock.write_text("pipeline: [{name: WhitespaceTokenizer}]\n")
    before = inputs_hash(ours, data, 5, components), inputs_hash(stock, data, 5, components)

    (components / "shape.py").write_text("BINS = (0, 1, 2)\n")

    assert inputs_hash(ours, data, 5, components) != before[0]
    assert inputs_hash(stock, data, 5, components) == before[1]


def test_hash_of_the_real_data_is_stable_between_calls() -> None:
    config = ROOT / "bot" / "config.yml"
    data = ROOT / "bot" / "data" / "nlu"

    assert inputs_hash(config, data, 5) == inputs_hash(config, data, 5)
    assert inputs_hash(config, data, 5) != inputs_hash(ROOT / "bench" / "stock_config.yml", data, 5)
