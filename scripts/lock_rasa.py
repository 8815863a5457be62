"""Resolve Rasa's environment afresh and write its pins to bot/constraints-rasa.txt.

Rasa's version is the one the Makefile installs (its ``rasa==`` line). A pin with a comment
above it in the constraints is held: it keeps its version and its comment, whatever is newer
(jsonschema 3.2.0 is one, for speed). Every other pin is rewritten to what uv resolves today
for Python 3.10, so run this only to move Rasa's environment on purpose (``make lock
UPGRADE=1``), then train, test and commit the result.

    python scripts/lock_rasa.py UV
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "bot" / "constraints-rasa.txt"
HEADER = [
    "# Versions Rasa {version} was installed and tested with (constraints for .venv-rasa).",
    "# Regenerate with: make lock UPGRADE=1 (a pin with a comment above it is held as it is)",
]


def rasa_version(makefile: Path = ROOT / "Makefile") -> str:
    """The Rasa version the Makefile installs."""
    found = set(re.findall(r"\brasa==([\w.]+)", makefile.read_text()))
    if len(found) != 1:
        raise SystemExit(f"expected one rasa== pin in the Makefile, found {sorted(found)}")
    return str(found.pop())


def held_pins(text: str) -> list[tuple[list[str], str]]:
    """``(comment lines, pin)`` for each pin that has a comment above it (the header excluded)."""
    held: list[tuple[list[str], str]] = []
    comments: list[str] = []
    for number, line in enumerate(text.splitlines()):
        if line.startswith("#"):
            if number >= len(HEADER):
                comments.append(line)
        elif line.strip():
            if comments:
                held.append((comments, line.strip()))
            comments = []
    return held


def name(pin: str) -> str:
    """The normalised project name of a ``name==version`` pin."""
    return re.sub(r"[-_.]+", "-", pin.split("==")[0]).strip().lower()


def main(argv: list[str]) -> int:
    """Resolve with uv and rewrite the constraints file."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    uv, version = argv[1], rasa_version()
    held = held_pins(CONSTRAINTS.read_text())
    wanted = "\n".join([f"rasa=={version}", *(pin for _, pin in held)]) + "\n"
    done = subprocess.run(
        [uv, "pip", "compile", "--no-config", "--quiet", "--python-version", "3.10",
         "--no-header", "--no-annotate", "-"],
        input=wanted, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    held_names = {name(pin) for _, pin in held}
    free = [
        line.strip()
        for line in done.stdout.splitlines()
        if "==" in line and name(line) not in held_names | {"rasa"}
    ]
    lines = [h.format(version=version) for h in HEADER]
    entries: list[tuple[list[str], str]] = [([], pin) for pin in free] + held
    for comments, pin in sorted(entries, key=lambda entry: name(entry[1])):
        lines += [*comments, pin]
    CONSTRAINTS.write_text("\n".join(lines) + "\n")
    print(f"==> {CONSTRAINTS.relative_to(ROOT)}: {len(entries)} pins for Rasa {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
