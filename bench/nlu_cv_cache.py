"""Cross-validation figures kept by a hash of everything they depend on.

A pipeline's cross-validated F1 is a function of its configuration, the training data and the
Rasa version, not of how busy the machine is, so it is reused while none of those changed.
That matters for the stock pipeline: DIET trains for 100 epochs per fold, which takes longer
than the whole benchmark run may. Timing figures are never cached.

The figures live in ``bench/nlu_cv.json``, committed next to the data they describe, so a fresh
clone reuses them; change the data or a configuration and they are computed again (and the
file rewritten; commit it with the data change).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "nlu_cv.json"
#: the pinned libraries of Rasa's environment, and the Makefile line that pins Rasa itself
CONSTRAINTS = ROOT / "bot" / "constraints-rasa.txt"
MAKEFILE = ROOT / "Makefile"
#: casebot's own pipeline components, part of any configuration that names one
COMPONENTS = ROOT / "bot" / "components"


def inputs_hash(config: Path, data_dir: Path, folds: int, components: Path = COMPONENTS) -> str:
    """A hash of the configuration (with the code of our components it names), every training
    data file, the Rasa pins and the folds."""
    digest = hashlib.sha256(f"folds={folds}\n".encode())
    code = sorted(components.glob("*.py")) if "bot.components." in config.read_text() else []
    for path in (config, *code, *sorted(data_dir.rglob("*.yml")), CONSTRAINTS):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    pins = [line for line in MAKEFILE.read_text().splitlines() if "rasa==" in line]
    digest.update("\n".join(pins).encode())
    return digest.hexdigest()[:16]


def cached_or_computed(
    name: str,
    key: str,
    compute: Callable[[], dict[str, Any]],
    *,
    fresh: bool = False,
    cache: Path = CACHE,
) -> tuple[dict[str, Any], bool]:
    """The figures for ``name`` under ``key``, and whether they came from the cache.

    Computed (and stored) when the cache has nothing under this key, or when ``fresh``.
    """
    stored: dict[str, Any] = json.loads(cache.read_text()) if cache.exists() else {}
    entry = stored.get(name)
    if not fresh and entry is not None and entry.get("key") == key:
        return dict(entry["figures"], measured_at=entry["measured_at"]), True
    figures = compute()
    measured_at = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    stored[name] = {"key": key, "measured_at": measured_at, "figures": figures}
    cache.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return dict(figures, measured_at=measured_at), False
