"""A stand-in of its own for each test that changes the domain or reads raw field values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.settings import SandboxSettings
from tests.unit.sandbox.conftest import SandboxServer


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
def server(
    db_path: Path,
    start_sandbox: Callable[[SandboxSettings], SandboxServer],
    sandbox_settings: Callable[..., SandboxSettings],
) -> SandboxServer:
    return start_sandbox(sandbox_settings(db_path))
