"""The NLU training examples read from ``bot/data/nlu``, and the check that no text has two intents.

    .venv/bin/python -m bench.nlu_data      exit 1 and list them when an example is in two intents

Texts are compared with their entity annotations removed, case folded and spaces collapsed,
so "Close my case" in one intent and "close my [case]..." in another count as the same text.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

NLU_DIR = Path(__file__).resolve().parent.parent / "bot" / "data" / "nlu"

# [text](entity), [text](entity:value), [text]{"entity": ...}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain(example: str) -> str:
    """The example as a user would type it: annotations removed."""
    return _ANNOTATION.sub(lambda m: m["text"], example).strip()


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def examples(nlu_dir: Path = NLU_DIR) -> dict[str, list[str]]:
    """Intent -> its plain example texts, over every YAML file in ``nlu_dir``."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(nlu_dir.rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found[block["intent"]].append(plain(line[2:]))
    return dict(found)


def duplicates(by_intent: dict[str, list[str]]) -> dict[str, list[str]]:
    """Example text -> the intents it is in, for each text found in more than one intent."""
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, texts in by_intent.items():
        for text in texts:
            owners[_key(text)].add(intent)
    return {text: sorted(intents) for text, intents in owners.items() if len(intents) > 1}


def main() -> int:
    """Print the examples per intent and any text in two intents; 1 when there is one."""
    by_intent = examples()
    for intent, texts in sorted(by_intent.items()):
        print(f"{intent:20} {len(texts):3} examples")
    clashes = duplicates(by_intent)
    for text, intents in sorted(clashes.items()):
        print(f"ERROR: {text!r} is an example of {', '.join(intents)}")
    print(f"{len(clashes)} example(s) in more than one intent")
    return 1 if clashes else 0


if __name__ == "__main__":
    sys.exit(main())
