"""scripts/find-python310.sh: Python 3.10 for Rasa from PATH or pyenv, else uv's, else a message.

Offline: uv is the one the Makefile bootstraps, its downloads are forbidden, and its managed
interpreters are looked for in a folder the test lays out.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "find-python310.sh"
UV = ROOT / ".tools" / "uv" / "bin" / "uv"

pytestmark = pytest.mark.skipif(not UV.exists(), reason="uv is bootstrapped by make into .tools/")


def find(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the script with exactly ``env``."""
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def hidden(managed: Path) -> dict[str, str]:
    """An environment with no Python 3.10 on PATH, no pyenv, and uv offline over ``managed``."""
    if any(Path(p).exists() for p in ("/usr/bin/python3.10", "/usr/local/bin/python3.10")):
        pytest.skip("this machine has a Python 3.10 where the script always looks")
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "UV": str(UV),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON_INSTALL_DIR": str(managed),
    }


def test_with_no_python_310_anywhere_it_says_what_to_install(tmp_path: Path) -> None:
    done = find(hidden(tmp_path))

    assert done.returncode == 1
    assert done.stdout == ""
    assert "Rasa 3.6 needs Python 3.10" in done.stderr
    assert "pyenv install 3.10" in done.stderr
    assert "uv python install 3.10" in done.stderr
    assert "uv said:" in done.stderr and "downloads are not allowed" in done.stderr


def test_without_one_on_path_it_takes_the_one_uv_manages(tmp_path: Path) -> None:
    real = find(dict(os.environ))
    if real.returncode != 0:
        pytest.skip("no Python 3.10 on this machine to stand in for uv's")
    if not sys.platform.startswith("linux"):
        pytest.skip("the stand-in is laid out as uv names its Linux interpreters")
    managed = tmp_path / f"cpython-3.10.99-linux-{platform.machine()}-gnu" / "bin"
    managed.mkdir(parents=True)
    for name in ("python3.10", "python3", "python"):
        (managed / name).symlink_to(real.stdout.strip())

    done = find(hidden(tmp_path))

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(managed / "python3.10")
