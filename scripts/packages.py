"""The project's top-level packages, read from the one list of them: pyproject.toml.

``[tool.setuptools.packages.find] include`` is what the wheel and the image install; this
asks setuptools which packages that list finds, so mypy and the tests check the same set.

    python scripts/packages.py          # one name a line
    python scripts/packages.py --mypy   # "-p actions -p api ...", for mypy's command line
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]


def top_level_packages(root: Path = ROOT) -> list[str]:
    """The top-level packages setuptools installs from ``root``, by pyproject's ``include``."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    found = find_packages(where=str(root), include=include)
    return sorted(name for name in found if "." not in name)


def main(argv: list[str]) -> int:
    """Print the packages, one a line or as mypy's ``-p`` options."""
    names = top_level_packages()
    if argv[1:] == ["--mypy"]:
        print(" ".join(f"-p {name}" for name in names))
    elif argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    else:
        print("\n".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
