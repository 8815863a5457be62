"""The scripts in tests/support run under Rasa's Python with their own folder first on the path,
so a module there named like a package Rasa imports (``twilio``, say) would be imported in its
place and break Rasa before the script starts."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUPPORT = ROOT / "tests" / "support"


def importable_names(site_packages: Path) -> set[str]:
    """The top-level names a Python with ``site_packages`` can import from there."""
    names: set[str] = set()
    for entry in site_packages.iterdir():
        if entry.name.endswith((".dist-info", ".egg-info", ".pth")):
            continue
        names.add(entry.name.removesuffix(".py").split(".")[0])
    return names


def test_no_support_module_is_named_like_a_package_of_either_environment() -> None:
    environments = [
        *(ROOT / ".venv-rasa" / "lib").glob("python3*/site-packages"),
        *(ROOT / ".venv" / "lib").glob("python3*/site-packages"),
    ]
    assert environments, "make setup creates both environments"
    taken = set(sys.stdlib_module_names)
    for site_packages in environments:
        taken |= importable_names(site_packages)

    ours = {path.stem for path in SUPPORT.glob("*.py")} - {"__init__"}

    assert ours, SUPPORT
    assert sorted(ours & taken) == []
