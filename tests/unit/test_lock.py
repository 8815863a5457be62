"""uv.lock agrees with pyproject.toml, so `make` installs what pyproject asks for.

`make` syncs .venv with ``uv sync --frozen``, which installs the lock as it is and never looks at
pyproject.toml: a requirement added, removed or changed there without `make lock` would be
silently missing from every environment and from the image. Two checks, both offline: the
requirements the lock was resolved for are pyproject's, compared here; and uv's own
``uv lock --check --offline`` with the uv the Makefile bootstraps.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "uv" / "bin" / "uv"

Key = tuple[str | None, str, tuple[str, ...], str, str]


def requirement_key(requirement: Requirement, extra: str | None) -> Key:
    """A requirement as ``(extra, name, extras, specifier, other markers)``, spelling aside."""
    specifier = ",".join(sorted(str(s) for s in requirement.specifier))
    marker = str(requirement.marker) if requirement.marker else ""
    extras = tuple(sorted(canonicalize_name(e) for e in requirement.extras))
    return extra, canonicalize_name(requirement.name), extras, specifier, marker


def pyproject_requirements(pyproject: dict[str, Any]) -> set[Key]:
    """What pyproject.toml asks for: its dependencies and each extra's."""
    project = pyproject["project"]
    found = {requirement_key(Requirement(line), None) for line in project["dependencies"]}
    for extra, lines in project.get("optional-dependencies", {}).items():
        found |= {requirement_key(Requirement(line), canonicalize_name(extra)) for line in lines}
    return found


def locked_requirements(lock: dict[str, Any], name: str) -> set[Key]:
    """What the lock was resolved for: the project's ``requires-dist`` as uv recorded it."""
    (project,) = [p for p in lock["package"] if p["name"] == name]
    found = set()
    for entry in project["metadata"]["requires-dist"]:
        marker = entry.get("marker", "")
        extra = re.search(r"extra == '([^']+)'", marker)
        rest = re.sub(r"(^| and )extra == '[^']+'", "", marker).strip()
        line = entry["name"] + (f"[{','.join(entry['extras'])}]" if entry.get("extras") else "")
        line += entry.get("specifier", "") + (f"; {rest}" if rest else "")
        found.add(requirement_key(Requirement(line), extra.group(1) if extra else None))
    return found


def disagreements(folder: Path) -> list[str]:
    """How ``folder``'s pyproject.toml and uv.lock differ; empty when they agree."""
    pyproject = tomllib.loads((folder / "pyproject.toml").read_text())
    lock = tomllib.loads((folder / "uv.lock").read_text())
    wanted = pyproject_requirements(pyproject)
    locked = locked_requirements(lock, canonicalize_name(pyproject["project"]["name"]))
    found = [
        f"in pyproject.toml, not in uv.lock: {key}" for key in sorted(wanted - locked, key=str)
    ]
    found += [
        f"in uv.lock, not in pyproject.toml: {key}" for key in sorted(locked - wanted, key=str)
    ]
    if lock["requires-python"] != pyproject["project"]["requires-python"]:
        found.append(f"requires-python: lock {lock['requires-python']!r}")
    return found


def uv_check(folder: Path) -> subprocess.CompletedProcess[str]:
    """``uv lock --check --offline`` in ``folder``."""
    return subprocess.run(
        [str(UV), "lock", "--check", "--offline", "--no-config", "--project", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


needs_uv = pytest.mark.skipif(not UV.exists(), reason="uv is bootstrapped by make into .tools/")


@pytest.fixture
def relocked_elsewhere(tmp_path: Path) -> Path:
    """A copy of pyproject.toml and uv.lock where a dependency was added without `make lock`."""
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text()
    assert "dependencies = [\n" in text
    pyproject.write_text(
        text.replace("dependencies = [\n", 'dependencies = [\n    "rich>=13",\n', 1)
    )
    return tmp_path


def test_the_lock_was_resolved_for_the_requirements_pyproject_lists() -> None:
    assert pyproject_requirements(tomllib.loads((ROOT / "pyproject.toml").read_text()))
    assert disagreements(ROOT) == []


def test_a_dependency_added_without_relocking_is_a_disagreement(relocked_elsewhere: Path) -> None:
    assert disagreements(relocked_elsewhere) == [
        "in pyproject.toml, not in uv.lock: (None, 'rich', (), '>=13', '')"
    ]


@needs_uv
def test_uv_finds_the_lock_up_to_date() -> None:
    done = uv_check(ROOT)
    assert done.returncode == 0, done.stderr


@needs_uv
def test_uv_refuses_a_lock_left_behind_by_pyproject(relocked_elsewhere: Path) -> None:
    done = uv_check(relocked_elsewhere)
    assert done.returncode != 0
    assert "needs to be updated" in done.stderr
