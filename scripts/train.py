"""Train the Rasa model when bot/ changed since the last training.

The model is cached under var/models/ by a hash of everything in bot/ that shapes it (config,
domain, training data, Rasa's pinned versions); bot/tests/ is left out because test stories do
not change the model. var/models/current.tar.gz always points at the model for the bot/ of now.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

KEEP = 3


def bot_hash(bot: Path) -> str:
    """A hash of the files in ``bot`` that the trained model depends on."""
    digest = hashlib.sha256()
    for path in sorted(p for p in bot.rglob("*") if p.is_file()):
        rel = path.relative_to(bot)
        if rel.parts[0] == "tests" or "__pycache__" in rel.parts:
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def main() -> int:
    """Train if needed and point var/models/current.tar.gz at the model for bot/."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bot", type=Path, default=Path("bot"))
    parser.add_argument("--models", type=Path, default=Path("var/models"))
    parser.add_argument("--rasa", default=".venv-rasa/bin/rasa")
    args = parser.parse_args()

    name = f"casebot-{bot_hash(args.bot)}"
    model = args.models / f"{name}.tar.gz"
    current = args.models / "current.tar.gz"
    if model.exists():
        print(f"==> model {model.name} is up to date with bot/")
    else:
        args.models.mkdir(parents=True, exist_ok=True)
        print(f"==> training the Rasa model {model.name} (bot/ changed; about a minute or two)")
        started = time.monotonic()
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
        cmd = [
            args.rasa, "train",
            "--config", str(args.bot / "config.yml"),
            "--domain", str(args.bot / "domain"),
            "--data", str(args.bot / "data"),
            "--out", str(args.models),
            "--fixed-model-name", name,
        ]  # fmt: skip
        log = args.models / f"{name}.train.log"
        with log.open("w") as out:
            done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
        if done.returncode != 0 or not model.exists():
            sys.stdout.write(log.read_text()[-4000:])
            print(f"==> training failed (exit {done.returncode}); full log: {log}")
            return 1
        print(f"==> trained {model.name} in {time.monotonic() - started:.0f} s")
    if current.is_symlink() or current.exists():
        current.unlink()
    current.symlink_to(model.name)
    stale = sorted(args.models.glob("casebot-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in stale[:-KEEP]:
        if old != model:
            old.unlink()
            old.with_name(old.name.replace(".tar.gz", ".train.log")).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
