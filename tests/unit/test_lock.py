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


#: a requirement no pyproject.toml of ours holds, so adding it always leaves the lock behind
ADDED = "casebot-lock-probe>=1"

needs_uv = pytest.mark.skipif(not UV.exists(), reason="uv is bootstrapped by make into .tools/")


def edited_copy(folder: Path, old: str, new: str) -> Path:
    """``folder`` with a copy of pyproject.toml and uv.lock, pyproject's ``old`` made ``new``."""
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, folder / name)
    pyproject = folder / "pyproject.toml"
    text = pyproject.read_text()
    assert old in text
    pyproject.write_text(text.replace(old, new, 1))
    return folder


@pytest.fixture
def left_behind(tmp_path: Path) -> Path:
    """A copy where a dependency was added to pyproject.toml without `make lock`."""
    return edited_copy(tmp_path, "dependencies = [\n", f'dependencies = [\n    "{ADDED}",\n')


def test_the_lock_was_resolved_for_the_requirements_pyproject_lists() -> None:
    assert pyproject_requirements(tomllib.loads((ROOT / "pyproject.toml").read_text()))
    assert disagreements(ROOT) == []


def test_a_dependency_added_without_relocking_is_a_disagreement(left_behind: Path) -> None:
    found = disagreements(left_behind)
    assert "in pyproject.toml, not in uv.lock: (None, 'casebot-lock-probe', (), '>=1', '')" in found


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        ('"fastapi>=0.115"', '"fastapi>=0.115,<1"', "(None, 'fastapi', (), '<1,>=0.115', '')"),
        ('    "py-spy>=0.4",\n', "", "in uv.lock, not in pyproject.toml: ('dev', 'py-spy'"),
        ('"redis>=5"', '"redis[hiredis]>=5"', "(None, 'redis', ('hiredis',), '>=5', '')"),
    ],
)
def test_a_requirement_changed_or_removed_without_relocking_is_a_disagreement(
    tmp_path: Path, old: str, new: str, found: str
) -> None:
    assert any(found in line for line in disagreements(edited_copy(tmp_path, old, new)))


@needs_uv
def test_uv_finds_the_lock_up_to_date() -> None:
    done = uv_check(ROOT)
    assert done.returncode == 0, done.stderr


@needs_uv
def test_uv_refuses_a_lock_left_behind_by_pyproject(left_behind: Path) -> None:
    done = uv_check(left_behind)
    assert done.returncode != 0
    # with the added project in uv's cache it says so; without, it cannot resolve it offline
    assert "needs to be updated" in done.stderr or "casebot-lock-probe" in done.stderr
